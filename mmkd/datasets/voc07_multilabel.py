"""Pascal VOC 2007 as a multi-label set, with L2D's option of difficult objects as positives."""
import os.path as osp
import xml.etree.ElementTree as ET
from typing import List, Tuple

from mmpretrain.datasets import VOC

from mmkd.registry import DATASETS
from .image_checks import check_images_exist
from .list_file import read_list_file


@DATASETS.register_module()
class VOC07MultiLabel(VOC):
    """mmpretrain's :class:`~mmpretrain.datasets.VOC` with strict parsing and L2D's label rule.

    ``data_root`` is one ``VOC2007`` folder (``JPEGImages/``, ``Annotations/``,
    ``ImageSets/Main/{trainval,test}.txt``); in L2D's layout::

        data/voc/VOCtrainval2007/VOCdevkit/VOC2007   split='trainval'
        data/voc/VOCtest2007/VOCdevkit/VOC2007       split='test'

    The 20 classes are VOC's alphabetical order, as in L2D.

    Labels: by default as mmpretrain (a class present only as *difficult* objects goes to
    ``gt_label_difficult``, not to ``gt_label``; a class with any non-difficult object is a plain
    positive). With ``difficult_as_positive=True`` every object
    is positive, difficult included, in both train and test: penghui-yang/L2D ``data/voc.py`` does
    this, so use it for parity with the paper's numbers.

    Errors: a line of the image list that is blank, has surrounding whitespace or a second column,
    or repeats an id fails with the list file and line; an XML file that does not parse fails with
    its path, line and column; an object without a ``<name>`` or with a class outside the 20 fails
    with the file and the object's position; a listed image that is missing is named when the
    dataset is built (``check_images=False`` skips that check, e.g. for remote storage).

    Args:
        data_root: the ``VOC2007`` folder.
        split: ``'train'``, ``'val'``, ``'trainval'`` or ``'test'``.
        difficult_as_positive: count difficult objects as positives (L2D).
        check_images: check at build time that every listed image exists.
        **kwargs: as :class:`~mmpretrain.datasets.VOC`.

    Example:
        >>> dataset = dict(type='mmkd.VOC07MultiLabel', split='trainval',
        ...                data_root='data/voc/VOCtrainval2007/VOCdevkit/VOC2007',
        ...                difficult_as_positive=True)
    """

    def __init__(self, data_root: str, split: str = 'trainval',
                 difficult_as_positive: bool = False, check_images: bool = True, **kwargs):
        self.difficult_as_positive = difficult_as_positive
        self.check_images = check_images
        super().__init__(data_root=data_root, split=split, **kwargs)

    def _get_labels_from_xml(self, img_id: str) -> Tuple[List[int], List[int]]:
        xml_path = self.backend.join_path(self.ann_prefix, f'{img_id}.xml')
        if not osp.isfile(xml_path):
            raise FileNotFoundError(f'{xml_path}: the annotation of image {img_id!r} (listed in '
                                    f'{self.image_set_path}) is missing')
        try:
            root = ET.fromstring(self.backend.get(xml_path))
        except ET.ParseError as error:
            line, column = error.position
            raise ValueError(f'{xml_path}:{line}:{column}: malformed XML ({error})') from None
        labels, difficult_labels = set(), set()
        for position, obj in enumerate(root.findall('object'), start=1):
            name = obj.findtext('name')
            if name is None or name.strip() not in self.class_to_idx:
                raise ValueError(f'{xml_path}: object #{position} has class {name!r}, not one of '
                                 f'the {len(self.CLASSES)} classes {list(self.CLASSES)}')
            label = self.class_to_idx[name.strip()]
            difficult = obj.findtext('difficult', default='0').strip() == '1'
            (difficult_labels if difficult else labels).add(label)
        if self.difficult_as_positive:
            return sorted(labels | difficult_labels), []
        return sorted(labels), sorted(difficult_labels - labels)

    def load_data_list(self) -> List[dict]:
        if not osp.isfile(self.image_set_path):
            raise FileNotFoundError(f'{self.image_set_path}: the image list of split '
                                    f'{self.split!r} is missing (data_root={self.data_root!r})')
        data_list = []
        for img_id in read_list_file(self.image_set_path, 'VOC image list'):
            labels, labels_difficult = (None, None) if self.ann_prefix is None else \
                self._get_labels_from_xml(img_id)
            data_list.append(dict(
                img_path=self.backend.join_path(self.img_prefix, f'{img_id}.jpg'),
                gt_label=labels, gt_label_difficult=labels_difficult))
        if self.check_images:
            check_images_exist(data_list, self.image_set_path)
        return data_list
