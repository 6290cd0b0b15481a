"""mmkd: knowledge distillation for OpenMMLab.

``pip install -e .`` links ``configs/`` and ``tools/`` into ``mmkd/.mim`` (a wheel copies them), as
the OpenMMLab packages ship theirs, so ``mmkd::hinton_kd/…`` configs and mim-style tool lookups work
from an installed package. mmcv's compiled ops must be installed first: see tools/install.sh.
"""
import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup

ROOT = osp.dirname(osp.abspath(__file__))


def read_requirements(name: str) -> list:
    with open(osp.join(ROOT, 'requirements', name)) as f:
        return [line.strip() for line in f if line.strip() and not line.startswith('#')]


def add_mim_extension() -> None:
    """Link (editable install) or copy (wheel, sdist) configs/ and tools/ into mmkd/.mim."""
    editable = any(cmd in sys.argv for cmd in ('develop', 'editable_wheel'))
    if not editable and not any(cmd in sys.argv for cmd in ('install', 'bdist_wheel', 'sdist')):
        return
    mim_dir = osp.join(ROOT, 'mmkd', '.mim')
    os.makedirs(mim_dir, exist_ok=True)
    for name in ('configs', 'tools'):
        target = osp.join(mim_dir, name)
        if osp.islink(target) or osp.isfile(target):
            os.remove(target)
        elif osp.isdir(target):
            shutil.rmtree(target)
        if editable:
            os.symlink(osp.join('..', '..', name), target)
        else:
            shutil.copytree(osp.join(ROOT, name), target)


def version() -> str:
    scope: dict = {}
    with open(osp.join(ROOT, 'mmkd', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


if __name__ == '__main__':
    add_mim_extension()
    setup(
        name='mmkd',
        version=version(),
        description='Knowledge distillation for OpenMMLab: CNN, CLIP, MLLM and text-encoder '
        'teachers into small mmpretrain / mmdet / mmseg students',
        long_description=open(osp.join(ROOT, 'README.md')).read()
        if osp.exists(osp.join(ROOT, 'README.md')) else '',
        long_description_content_type='text/markdown',
        packages=find_packages(exclude=('configs', 'tools', 'tests', 'projects', 'docs')),
        include_package_data=True,
        package_data={'mmkd': ['.mim/configs/**/*', '.mim/tools/**/*']},
        python_requires='>=3.9',
        install_requires=read_requirements('runtime.txt'),
        extras_require={'tests': read_requirements('tests.txt')},
        license='Apache License 2.0',
        zip_safe=False)
