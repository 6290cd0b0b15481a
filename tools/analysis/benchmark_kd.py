"""What distillation costs, measured in one run as ratios of per-step times on the same models and
data (a ResNet-18 teacher and a thinner ResNet-18 student, CIFAR stem, 32x32 images, 10 classes):

(a) a live-teacher KD step: mmkd's ``KnowledgeDistiller.train_step`` vs a hand-written PyTorch
    loop doing the same work (normalise, teacher forward under no_grad, student forward + CE,
    KD loss, backward, SGD step);
(b) a KD step reading the teacher from a teacher store (``StoreTeacher``) vs plain student training
    (mmpretrain's own ``ImageClassifier.train_step``);
(c) mmkd's live KD step vs torchdistill's (``DistillationBox``, its ``KDLoss``), when installed;
(d) with an augmented pipeline (PNG decoding, RandomResizedCrop + RandomFlip, run inside each timed
    step): KD from a replay store (``TeacherReplayDataset`` + ``StoreTeacher``, K views) vs plain
    student training on the same pipeline, and the live-teacher KD on it beside them.

``--extraction`` also measures the extraction of a replay store (K views through the pipeline,
seeded, hashed, the teacher, the codec, the writes) against the bare teacher forward on the same
view tensors, and the bytes per view of the three record kinds on real small stores, with their
ImageNet-1k extrapolation.

Variants run interleaved: every round times ``--steps`` steps of each variant, in a rotating order,
and each ratio is the median over rounds of the ratio within a round, so load drifting on a shared
machine hits both sides of a ratio alike. On CPU the process's CPU time is reported beside wall
time: on a machine shared with other jobs it is the steadier measure of the work a step does.
Pixel values do not change the cost: images are synthetic.

    python tools/analysis/benchmark_kd.py [--device cuda] [--batch-size 64] [--rounds 15]
    python tools/analysis/benchmark_kd.py --extraction-only --views 4
"""
import argparse
import copy
import os
import os.path as osp
import platform
import statistics
import tempfile
import time
from typing import Callable, Dict, List

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.dataset import default_collate
from mmengine.logging import MMLogger
from mmengine.optim import OptimWrapper
from mmengine.registry import DATASETS, MODELS, init_default_scope
from mmpretrain.structures import DataSample

import mmkd
from mmkd.datasets import TeacherReplayDataset
from mmkd.registry import build_mmkd_module
from mmkd.store import TeacherStore, TeacherStoreWriter, make_fingerprint
from mmkd.store.extraction import ViewItems, extract_store

MEAN, STD = [125.3, 123.0, 113.9], [63.0, 62.1, 66.7]
TAU = 4.0
AUGMENTED = [dict(type='LoadImageFromFile'),
             dict(type='RandomResizedCrop', scale=32, crop_ratio_range=(0.35, 1.0)),
             dict(type='RandomFlip', prob=0.5, direction='horizontal'),
             dict(type='PackInputs')]
IMAGENET_TRAIN = 1_281_167


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--device', default='cpu', help='cpu, cuda, cuda:1 …')
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--num-batches', type=int, default=4, help='distinct batches cycled')
    parser.add_argument('--teacher-width', type=int, default=16, help='ResNet base channels')
    parser.add_argument('--student-width', type=int, default=8)
    parser.add_argument('--steps', type=int, default=5, help='steps per variant per round')
    parser.add_argument('--rounds', type=int, default=15)
    parser.add_argument('--warmup', type=int, default=3, help='untimed steps per variant')
    parser.add_argument('--threads', type=int, help='torch CPU threads (default: torch\'s)')
    parser.add_argument('--skip-torchdistill', action='store_true')
    parser.add_argument('--views', type=int, default=4, help='K views of the replay store')
    parser.add_argument('--num-images', type=int, default=256,
                        help='PNG images of the augmented variants and the extraction')
    parser.add_argument('--extraction', action='store_true',
                        help='also measure extraction throughput and bytes per view')
    parser.add_argument('--extraction-only', action='store_true')
    parser.add_argument('--extraction-rounds', type=int, default=5)
    return parser.parse_args()


def classifier(width: int, num_classes: int = 10, head: str = 'LinearClsHead') -> dict:
    return dict(
        type='ImageClassifier',
        data_preprocessor=dict(type='ClsDataPreprocessor', num_classes=num_classes, mean=MEAN,
                               std=STD),
        backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=width, base_channels=width),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type=head, num_classes=num_classes, in_channels=8 * width,
                  loss=dict(type='CrossEntropyLoss', loss_weight=0.5)))


def write_images(args: argparse.Namespace, root: str) -> dict:
    """``--num-images`` random 32x32 PNGs in 10 class folders; the CustomDataset config."""
    rng = np.random.default_rng(0)
    for i in range(args.num_images):
        folder = osp.join(root, f'class{i % 10}')
        os.makedirs(folder, exist_ok=True)
        cv2.imwrite(osp.join(folder, f'{i:05d}.png'),
                    rng.integers(0, 256, (32, 32, 3), dtype=np.uint8))
    return dict(type='CustomDataset', data_root=root, pipeline=AUGMENTED)


def make_batches(args: argparse.Namespace) -> List[dict]:
    """Collated batches as a dataloader gives them: uint8 images, DataSamples with ids/labels."""
    generator = torch.Generator().manual_seed(0)
    batches = []
    for b in range(args.num_batches):
        images = torch.randint(0, 256, (args.batch_size, 3, 32, 32), dtype=torch.uint8,
                               generator=generator)
        labels = torch.randint(0, 10, (args.batch_size, ), generator=generator)
        samples = [DataSample(metainfo=dict(sample_idx=b * args.batch_size + i)).set_gt_label(
            int(label)) for i, label in enumerate(labels)]
        batches.append(dict(inputs=images, data_samples=samples, labels=labels))
    return batches


class Variants:
    """One training-step closure per variant, each with its own copy of the same student."""

    def __init__(self, args: argparse.Namespace, work_dir: str):
        self.args = args
        self.device = torch.device(args.device)
        self.batches = make_batches(args)
        init_default_scope('mmpretrain')
        torch.manual_seed(0)
        self.student = MODELS.build(classifier(args.student_width))
        self.teacher_cfg = dict(
            type='OpenMMLabTeacher', config=dict(model=classifier(args.teacher_width),
                                                 default_scope='mmpretrain'),
            checkpoint=osp.join(work_dir, 'teacher.pth'))
        teacher_model = MODELS.build(classifier(args.teacher_width))
        torch.save(teacher_model.state_dict(), self.teacher_cfg['checkpoint'])
        self.store = osp.join(work_dir, 'store')
        self._write_store()
        self.images = write_images(args, osp.join(work_dir, 'images'))
        self.image_dataset = DATASETS.build(self.images)
        self.replay_store = osp.join(work_dir, 'replay_store')
        self._extract_replay_store(self.replay_store)

    def _optimizer(self, params) -> torch.optim.Optimizer:
        return torch.optim.SGD(params, lr=0.01, momentum=0.9, weight_decay=5e-4)

    def _fresh_student(self) -> torch.nn.Module:
        return copy.deepcopy(self.student).to(self.device)

    def _write_store(self) -> None:
        """The teacher's logits for every benchmark sample, as tools/extract_teacher_outputs.py
        writes them (the same preprocessing, the same ids)."""
        teacher = build_mmkd_module(self.teacher_cfg)
        writer = TeacherStoreWriter(self.store, self.args.batch_size * self.args.num_batches,
                                    make_fingerprint(self.teacher_cfg, view='any'))
        for batch in self.batches:
            data = self.student.data_preprocessor(batch, training=False)
            ids = [f'index:{s.sample_idx}' for s in batch['data_samples']]
            writer.write(ids, teacher(data['inputs']))
        writer.close()

    def _extract_replay_store(self, path: str) -> float:
        """K views of every PNG through the augmented pipeline (CPU seconds of the extraction)."""
        start = time.process_time()
        extract_store(path, self.image_dataset, AUGMENTED, self.teacher_cfg,
                      copy.deepcopy(self.student.data_preprocessor), views=self.args.views,
                      codecs=dict(outputs='softmax_topk:5'), batch_size=self.args.batch_size,
                      device=self.args.device, progress=False)
        return time.process_time() - start

    def _distiller(self, teacher: dict) -> torch.nn.Module:
        distiller = MODELS.build(dict(  # as the runner builds it, in mmpretrain's scope
            type='mmkd.KnowledgeDistiller', student=classifier(self.args.student_width),
            teachers=dict(teacher=teacher), student_records=dict(logits='head'),
            distill_losses=dict(loss_kd=dict(type='KDLoss', tau=TAU, loss_weight=0.5,
                                             inputs=dict(preds_S='student.logits',
                                                         preds_T='teacher.outputs')))))
        distiller.student.load_state_dict(self.student.state_dict())
        return distiller.to(self.device)

    def mmkd_step(self, teacher: dict) -> Callable[[dict], None]:
        distiller = self._distiller(teacher)
        optim_wrapper = OptimWrapper(self._optimizer(distiller.parameters()))
        distiller.train()
        return lambda batch: distiller.train_step(batch, optim_wrapper)

    def mmkd_live(self) -> Callable[[dict], None]:
        return self.mmkd_step(self.teacher_cfg)

    def mmkd_store(self) -> Callable[[dict], None]:
        return self.mmkd_step(dict(type='StoreTeacher', store=self.store,
                                   teacher=self.teacher_cfg))

    def _augmented(self, step: Callable[[dict], None], dataset) -> Callable[[dict], None]:
        """A step that first loads its batch through the augmented pipeline (in this process)."""
        order = np.random.default_rng(1).permutation(len(dataset)).tolist() * 10_000
        position = [0]

        def augmented_step(_: dict) -> None:
            indices = order[position[0]:position[0] + self.args.batch_size]
            position[0] += self.args.batch_size
            step(default_collate([dataset[i] for i in indices]))

        return augmented_step

    def replay_augmented(self) -> Callable[[dict], None]:
        dataset = TeacherReplayDataset(DATASETS.build(self.images), self.replay_store)
        dataset.set_epoch(1)
        return self._augmented(self.mmkd_step(dict(type='StoreTeacher', store=self.replay_store,
                                                   teacher=self.teacher_cfg)), dataset)

    def plain_augmented(self) -> Callable[[dict], None]:
        return self._augmented(self.plain_student(), DATASETS.build(self.images))

    def live_augmented(self) -> Callable[[dict], None]:
        return self._augmented(self.mmkd_live(), DATASETS.build(self.images))

    def plain_student(self) -> Callable[[dict], None]:
        student = self._fresh_student()
        optim_wrapper = OptimWrapper(self._optimizer(student.parameters()))
        student.train()
        return lambda batch: student.train_step(batch, optim_wrapper)

    def _plain_modules(self):
        """Student, frozen teacher, normalisation: the pieces a hand-written loop holds."""
        student = self._fresh_student()
        teacher = build_mmkd_module(self.teacher_cfg).model.to(self.device)
        mean = torch.tensor(MEAN, device=self.device).view(1, 3, 1, 1)
        std = torch.tensor(STD, device=self.device).view(1, 3, 1, 1)
        return student, teacher, mean, std

    def hand_written_live(self) -> Callable[[dict], None]:
        student, teacher, mean, std = self._plain_modules()
        optimizer = self._optimizer(student.parameters())
        student.train()

        def step(batch: dict) -> None:
            images = batch['inputs'].to(self.device, non_blocking=True)
            labels = batch['labels'].to(self.device, non_blocking=True)
            x = (images.float() - mean) / std
            with torch.no_grad():  # teacher first: cheaper than after the student (see docs)
                teacher_logits = teacher.head(teacher.extract_feat(x))
            logits = student.head(student.extract_feat(x))
            log_p_s = F.log_softmax(logits / TAU, dim=1)
            log_p_t = F.log_softmax(teacher_logits / TAU, dim=1)
            loss_kd = (log_p_t.exp() * (log_p_t - log_p_s)).sum(1).mean() * TAU**2
            loss = 0.5 * F.cross_entropy(logits, labels) + 0.5 * loss_kd
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

        return step

    def torchdistill_live(self) -> Callable[[dict], None]:
        from torchdistill.core.distillation import get_distillation_box
        student, teacher, mean, std = self._plain_modules()
        kd = dict(key='KDLoss', kwargs=dict(
            student_module_path='.', student_module_io='output', teacher_module_path='.',
            teacher_module_io='output', temperature=TAU, alpha=0.5, reduction='batchmean'))
        train_config = dict(
            num_epochs=1, teacher=dict(requires_grad=False, forward_proc='forward_batch_only'),
            student=dict(forward_proc='forward_batch_only'),
            optimizer=dict(key='SGD', kwargs=dict(lr=0.01, momentum=0.9, weight_decay=5e-4)),
            criterion=dict(key='WeightedSumLoss',
                           kwargs=dict(sub_terms=dict(kd=dict(criterion=kd, weight=1.0)))))
        box = get_distillation_box(_Logits(teacher), _Logits(student), {}, train_config,
                                   self.device, None, False, 1.0)
        box.pre_epoch_process(epoch=0)

        def step(batch: dict) -> None:
            images = batch['inputs'].to(self.device, non_blocking=True)
            labels = batch['labels'].to(self.device, non_blocking=True)
            x = (images.float() - mean) / std
            loss = box.forward_process(x, labels)
            box.post_forward_process(loss)

        return step


class _Logits(torch.nn.Module):
    """An mmpretrain classifier as a plain ``images -> logits`` module (what torchdistill calls)."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model.head(self.model.extract_feat(x))


def store_path_extra(variants: 'Variants', repeats: int = 200) -> float:
    """Seconds of the work a store KD step adds to plain training, timed alone: serving the batch
    from the store and the KD loss forward + backward (a steadier number than a ratio of steps)."""
    distiller = variants._distiller(dict(type='StoreTeacher', store=variants.store))
    data = distiller.data_preprocessor(variants.batches[0], True)
    logits = torch.randn(variants.args.batch_size, 10, device=variants.device, requires_grad=True)

    def extra() -> None:
        outputs = distiller.teachers['teacher'](data['inputs'], data['data_samples'])['outputs']
        distiller.distill_losses['loss_kd'](logits, outputs).backward()

    for _ in range(5):
        extra()
    clock = time.perf_counter if variants.device.type == 'cuda' else time.process_time
    start = clock()
    for _ in range(repeats):
        extra()
    if variants.device.type == 'cuda':
        torch.cuda.synchronize()
    return (clock() - start) / repeats


def extraction_throughput(variants: 'Variants') -> Dict[str, float]:
    """Views per CPU second of the replay-store extraction, of the bare teacher forward on the same
    views (rendered and preprocessed beforehand, untimed), and of a plain teacher pass over the
    augmented data (pipeline, preprocessing and forward; no seeds, hashes, codec or writes): what
    running the teacher over augmented images costs anyway. The three run interleaved for
    ``--extraction-rounds`` rounds (medians); each extraction writes a fresh store and includes
    building the teacher and probing the pipeline (the store of :class:`Variants` warmed the
    kernels)."""
    args = variants.args
    dataset = variants.image_dataset
    items = ViewItems(dataset, range(args.num_images), args.views, 0)
    views = [items[i]['inputs'] for i in range(len(items))]
    preprocessor = variants.student.data_preprocessor
    teacher = build_mmkd_module(variants.teacher_cfg).to(variants.device)
    teacher.adapt_inputs(mmkd.models.teachers.read_normalization(preprocessor))
    chunk = args.batch_size * args.views
    batches = [preprocessor(dict(inputs=views[i:i + chunk]), training=False)['inputs']
               for i in range(0, len(views), chunk)]
    order = [i // args.views for i in range(len(views))]

    @torch.no_grad()
    def bare() -> None:
        for inputs in batches:
            teacher(inputs.to(variants.device))

    @torch.no_grad()
    def plain_pass() -> None:
        for begin in range(0, len(order), chunk):
            batch = default_collate([dataset[i] for i in order[begin:begin + chunk]])
            teacher(preprocessor(batch, training=False)['inputs'])

    seconds = dict(extraction=[], bare=[], plain_pass=[])
    for r in range(args.extraction_rounds):
        for name, run in (('extraction', lambda: variants._extract_replay_store(
                              variants.replay_store + f'_timed{r}')),
                          ('bare', bare), ('plain_pass', plain_pass)):
            start = time.process_time()
            run()
            seconds[name].append(time.process_time() - start)
    return {name: len(views) / statistics.median(times) for name, times in seconds.items()}


def bytes_per_view(args: argparse.Namespace, work_dir: str, images: dict) -> List[tuple]:
    """``(kind, bytes per view as laid out, bytes per view on disk)`` of three real small stores
    (64 images x K views through the augmented pipeline, seeds and hashes included)."""
    kinds = [('softmax, 1000 classes, top-10 (int16 + fp16)', classifier(8, 1000), 'outputs',
              'softmax_topk:10', None),
             ('sigmoid, 80 classes, dense fp16', classifier(8, 80, 'MultiLabelLinearClsHead'),
              'outputs', 'float16', None),
             ('embedding, 512-d, fp16', classifier(64), 'features', 'float16',
              dict(features=dict(module='neck', index=0)))]
    dataset = DATASETS.build(dict(images, indices=64))
    rows = []
    for kind, model, record, codec, records in kinds:
        checkpoint = osp.join(work_dir, f'{len(rows)}.pth')
        torch.save(MODELS.build(model).state_dict(), checkpoint)
        teacher = dict(type='OpenMMLabTeacher', checkpoint=checkpoint, records=records,
                       config=dict(model=model, default_scope='mmpretrain'))
        path = osp.join(work_dir, f'bytes_{len(rows)}')
        extract_store(path, dataset, AUGMENTED, teacher, MODELS.build(model).data_preprocessor,
                      views=args.views, codecs={record: codec}, progress=False)
        store = TeacherStore(path)
        names = [record + suffix for suffix in ('', '.index', '.logp')] + ['replay.seed',
                                                                          'replay.hash']
        on_disk = sum(osp.getsize(osp.join(path, f'{name}.npy')) for name in names
                      if osp.isfile(osp.join(path, f'{name}.npy')))
        rows.append((kind, store.bytes_per_view([record]), on_disk / (len(store) * store.views)))
    return rows


def measure(steps: Dict[str, Callable], batches: List[dict], args: argparse.Namespace,
            device: torch.device) -> Dict[str, Dict[str, List[float]]]:
    """Seconds per step of every variant in every round (interleaved, rotating order), as wall
    time and as this process's CPU time (``{'wall': {variant: [...]}, 'cpu': {...}}``)."""
    sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: None)
    names = list(steps)
    for name in names:
        for i in range(args.warmup):
            steps[name](batches[i % len(batches)])
    sync()
    times = dict(wall={name: [] for name in names}, cpu={name: [] for name in names})
    for r in range(args.rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            wall, cpu = time.perf_counter(), time.process_time()
            for i in range(args.steps):
                steps[name](batches[(r * args.steps + i) % len(batches)])
            sync()
            times['wall'][name].append((time.perf_counter() - wall) / args.steps)
            times['cpu'][name].append((time.process_time() - cpu) / args.steps)
    return times


def main() -> None:
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    MMLogger.get_instance('mmkd_benchmark', log_level='WARNING')
    with tempfile.TemporaryDirectory() as work_dir:
        variants = Variants(args, work_dir)
        if args.extraction or args.extraction_only:
            throughput = extraction_throughput(variants)
            sizes = bytes_per_view(args, work_dir, variants.images)
        if args.extraction_only:
            print_extraction(args, throughput, sizes)
            return
        steps = dict(mmkd_live=variants.mmkd_live(), hand_written_live=variants.hand_written_live(),
                     mmkd_store=variants.mmkd_store(), plain_student=variants.plain_student(),
                     replay_augmented=variants.replay_augmented(),
                     plain_augmented=variants.plain_augmented(),
                     live_augmented=variants.live_augmented())
        torchdistill_note = ''
        if not args.skip_torchdistill:
            try:
                steps['torchdistill_live'] = variants.torchdistill_live()
            except ImportError as error:
                torchdistill_note = f'torchdistill not importable: {error}'
        times = measure(steps, variants.batches, args, variants.device)
        extra = store_path_extra(variants)

    clocks = ['wall'] + (['cpu'] if variants.device.type == 'cpu' else [])

    def ratio(clock: str, a: str, b: str) -> str:
        if a not in times[clock] or b not in times[clock]:
            return torchdistill_note or 'skipped'
        return f'{statistics.median(x / y for x, y in zip(times[clock][a], times[clock][b])):.3f}'

    print(f'device: {args.device} ({platform.processor() or platform.machine()}, '
          f'{torch.get_num_threads()} threads), torch {torch.__version__}, '
          f'mmkd {mmkd.__version__}; '
          f'batch {args.batch_size}, teacher ResNet-18 w{args.teacher_width}, student ResNet-18 '
          f'w{args.student_width}, {args.rounds} rounds x {args.steps} steps')
    print('\n| variant | ' + ' | '.join(f'{c} ms/step (median, min-max)' for c in clocks) +
          ' |\n|---|' + '---:|' * len(clocks))
    for name in steps:
        cells = [f'{1e3 * statistics.median(times[c][name]):.1f} '
                 f'({1e3 * min(times[c][name]):.0f}-{1e3 * max(times[c][name]):.0f})'
                 for c in clocks]
        print(f'| {name} | ' + ' | '.join(cells) + ' |')
    print('\n| ratio (median of per-round ratios) | ' + ' | '.join(clocks) +
          ' | goal |\n|---|' + '---:|' * len(clocks) + '---:|')
    for label, a, b, goal in (
            ('(a) mmkd live KD / hand-written live KD', 'mmkd_live', 'hand_written_live',
             '<= 1.10'),
            ('(b) mmkd store KD / plain student', 'mmkd_store', 'plain_student', '<= 1.05'),
            ('(c) mmkd live KD / torchdistill live KD', 'mmkd_live', 'torchdistill_live', '-'),
            (f'(d) augmented: replay-store KD (K={args.views}) / plain student',
             'replay_augmented', 'plain_augmented', '<= 1.05'),
            ('(d) augmented: live-teacher KD / plain student', 'live_augmented',
             'plain_augmented', '-')):
        print(f'| {label} | ' + ' | '.join(ratio(c, a, b) for c in clocks) + f' | {goal} |')
    clock = clocks[-1]
    plain = statistics.median(times[clock]['plain_student'])
    print(f'\nwork a store KD step adds, timed alone (store read + KD loss forward/backward): '
          f'{1e3 * extra:.2f} ms = {extra / plain:.2%} of a plain student step ({clock} time)')

    if args.extraction:
        print_extraction(args, throughput, sizes)


def print_extraction(args: argparse.Namespace, throughput: Dict[str, float],
                     sizes: List[tuple]) -> None:
    print(f'\nextraction of a replay store ({args.num_images} PNG images x {args.views} views, '
          f'RandomResizedCrop + RandomFlip, batch {args.batch_size} images, teacher ResNet-18 '
          f'w{args.teacher_width}), views per CPU second, medians of {args.extraction_rounds} '
          'interleaved rounds:\n\n| pass | views/s | extraction / pass |\n|---|---:|---:|')
    for name, label in (('extraction', 'replay-store extraction (all of it)'),
                        ('bare', 'bare teacher forward on the same views (goal: ratio >= 0.9)'),
                        ('plain_pass', 'plain teacher pass: pipeline + preprocessing + forward')):
        print(f'| {label} | {throughput[name]:.0f} | '
              f'{throughput["extraction"] / throughput[name]:.3f} |')
    print(f'\n| record kind | bytes per view (seed + hash included) | on disk, this store | '
          'ImageNet-1k, K = 1 / 8 / 32 |\n|---|---:|---:|---:|')
    for kind, layout, disk in sizes:
        gigabytes = ' / '.join(f'{layout * IMAGENET_TRAIN * k / 1e9:.2f}' for k in (1, 8, 32))
        print(f'| {kind} | {layout:.0f} | {disk:.1f} | {gigabytes} GB |')


if __name__ == '__main__':
    main()
