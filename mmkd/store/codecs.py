"""Record codecs: how a teacher record is stored, and what a reader gets back.

=====================  ==============================================  ==========================
codec                  stored per view                                 served
=====================  ==============================================  ==========================
``'raw'``              the values, in their own dtype                  exactly the values
``'float16'``          fp16 values (sigmoid logits, embeddings,        float32
                       features)
``'softmax_topk:K'``   the K largest log-probabilities (fp16) and      log-probabilities
                       their class indices (int16; int32 above 32767   (float32, dense)
                       classes)
=====================  ==============================================  ==========================

``softmax_topk`` densifies as the anchors do (TinyViT's saved top-K logits, ml-dr's ``densify``):
the probability mass left outside the top K is spread evenly over the other classes. Log-
probabilities in fp16 keep the top-1 probability of a confident teacher (0.999: ``log p = -0.001``)
to about 1e-6, which fp16 probabilities (spacing 5e-4 near 1) cannot, so the remaining mass is
known accurately. Served log-probabilities work as teacher logits at any KD temperature:
``softmax(log p / T) ∝ p^(1/T) ∝ exp(z / T)`` for the teacher's logits ``z``.
"""
from typing import Dict, Sequence, Tuple, Union

import numpy as np

#: A class outside the top K never gets less than this probability (no ``log 0`` when the kept
#: mass rounds to 1): negligible next to any real remaining mass.
MIN_PROBABILITY = 1e-12

Layout = Dict[str, Tuple[Tuple[int, ...], str]]


class RecordCodec:
    """Encode a record's values ``[..., *shape]`` into named parts, and decode them back.

    ``layout`` names the stored parts (``''`` for the record's own file, ``'.index'`` …) with their
    shape per value and dtype; ``encode``/``decode`` work on any leading dimensions.
    """

    kind = ''
    #: The stored parts: suffixes of the record's name, one array file each.
    parts: Tuple[str, ...] = ('', )

    def spec(self) -> str:
        return self.kind

    def layout(self, shape: Sequence[int], dtype: np.dtype) -> Layout:
        raise NotImplementedError

    def encode(self, values: np.ndarray) -> Dict[str, np.ndarray]:
        raise NotImplementedError

    def decode(self, parts: Dict[str, np.ndarray], shape: Sequence[int]) -> np.ndarray:
        raise NotImplementedError


class Raw(RecordCodec):
    """Keep the values and their dtype (exact)."""

    kind = 'raw'

    def layout(self, shape, dtype):
        return {'': (tuple(shape), np.dtype(dtype).name)}

    def encode(self, values):
        return {'': values}

    def decode(self, parts, shape):
        return np.asarray(parts[''])


class Float16(RecordCodec):
    """fp16 storage of floating values (sigmoid logits, embeddings, features), served as float32."""

    kind = 'float16'

    def layout(self, shape, dtype):
        if not np.issubdtype(np.dtype(dtype), np.floating):
            raise TypeError(f'the float16 codec stores floating values, got {np.dtype(dtype)}')
        return {'': (tuple(shape), 'float16')}

    def encode(self, values):
        return {'': values.astype(np.float16)}

    def decode(self, parts, shape):
        return np.asarray(parts[''], dtype=np.float32)


class SoftmaxTopK(RecordCodec):
    """The top ``k`` log-probabilities of softmax logits ``[..., C]``, densified when read.

    Example:
        >>> codec = SoftmaxTopK(2)
        >>> logits = np.log(np.array([[0.7, 0.2, 0.06, 0.04]]))
        >>> parts = codec.encode(logits)
        >>> sorted(parts), parts['.index'].tolist()
        (['.index', '.logp'], [[0, 1]])
        >>> np.exp(codec.decode(parts, [4]).astype(float)).round(3).tolist()  # 0.05 each
        [[0.7, 0.2, 0.05, 0.05]]
    """

    kind = 'softmax_topk'
    parts = ('.index', '.logp')

    def __init__(self, k: int):
        if k < 1:
            raise ValueError(f'softmax_topk: k must be >= 1, got {k}')
        self.k = k

    def spec(self) -> str:
        return f'{self.kind}:{self.k}'

    def _index_dtype(self, num_classes: int) -> str:
        return 'int16' if num_classes <= np.iinfo(np.int16).max + 1 else 'int32'

    def layout(self, shape, dtype):
        if len(shape) != 1:
            raise ValueError(f'softmax_topk stores class logits [C]; got a record of shape '
                             f'{list(shape)}')
        if self.k > shape[0]:
            raise ValueError(f'softmax_topk:{self.k} needs at least {self.k} classes, the record '
                             f'has {shape[0]}')
        return {'.index': ((self.k, ), self._index_dtype(shape[0])),
                '.logp': ((self.k, ), 'float16')}

    def encode(self, values):
        logits = values.astype(np.float64)
        logp = logits - logits.max(-1, keepdims=True)
        logp -= np.log(np.exp(logp).sum(-1, keepdims=True))
        top = np.argsort(-logp, axis=-1, kind='stable')[..., :self.k]
        return {'.index': top.astype(self._index_dtype(values.shape[-1])),
                '.logp': np.take_along_axis(logp, top, -1).astype(np.float16)}

    def decode(self, parts, shape):
        num_classes = shape[0]
        index = np.asarray(parts['.index'], dtype=np.int64).reshape(-1, self.k)
        kept = np.exp(np.asarray(parts['.logp'], dtype=np.float64)).reshape(-1, self.k)
        dense = np.empty((len(index), num_classes))
        if num_classes > self.k:
            rest = np.clip(1.0 - kept.sum(1, keepdims=True), 0, None) / (num_classes - self.k)
            dense[:] = np.maximum(rest, MIN_PROBABILITY)
        dense[np.arange(len(index))[:, None], index] = kept
        logp = np.log(dense) - np.log(dense.sum(1, keepdims=True))
        return logp.astype(np.float32).reshape(*parts['.index'].shape[:-1], num_classes)


def build_codec(spec: Union[str, RecordCodec]) -> RecordCodec:
    """A codec from its spec: ``'raw'``, ``'float16'`` or ``'softmax_topk:K'``.

    Example:
        >>> build_codec('softmax_topk:10').k
        10
    """
    if isinstance(spec, RecordCodec):
        return spec
    kind, _, arg = str(spec).partition(':')
    if kind == 'raw' and not arg:
        return Raw()
    if kind == 'float16' and not arg:
        return Float16()
    if kind == 'softmax_topk' and arg.isdigit():
        return SoftmaxTopK(int(arg))
    raise ValueError(f"unknown record codec {spec!r}: use 'raw', 'float16' or 'softmax_topk:K' "
                     "(e.g. 'softmax_topk:10')")
