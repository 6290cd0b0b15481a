"""DDP: two gloo processes (spawned), MMEngine's DefaultSampler; each rank replays its own samples
(disjoint, together all of them), every view hash-checked in the dataset, the served outputs equal
to the live teacher on the replayed views, one view per epoch."""
import os
import socket

import numpy as np
import torch
import torch.multiprocessing as mp

from replay_data import RANDOM_PIPELINE, ArrayDataset, fashion_images, preprocessor, teacher_config

VIEWS = 2


def _rank(rank, world_size, port, work_dir, images, labels, store, queue):
    import torch.distributed as dist
    from mmengine.dataset import DefaultSampler, pseudo_collate
    from mmengine.registry import init_default_scope

    import mmkd  # noqa: F401
    from mmkd.datasets import TeacherReplayDataset
    from mmkd.models.teachers import StoreTeacher, read_normalization
    from mmkd.registry import build_mmkd_module
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group('gloo', rank=rank, world_size=world_size)
    init_default_scope('mmpretrain')
    dataset = TeacherReplayDataset(ArrayDataset(images, labels, RANDOM_PIPELINE), store)
    sampler = DefaultSampler(dataset, shuffle=True, seed=0)
    loader = torch.utils.data.DataLoader(dataset, batch_size=4, sampler=sampler,
                                         collate_fn=pseudo_collate)
    student_preprocessor = preprocessor()
    teacher = build_mmkd_module(teacher_config(work_dir))
    teacher.adapt_inputs(read_normalization(student_preprocessor))
    store_teacher = StoreTeacher(store)
    seen, worst = [], 0.0
    for epoch in range(VIEWS):
        sampler.set_epoch(epoch)
        dataset.set_epoch(epoch)
        for batch in loader:
            data = student_preprocessor(batch, training=True)
            uuid = dataset.store.uuid
            served = store_teacher(data['inputs'], data['data_samples'])['outputs']
            with torch.no_grad():
                live = teacher(data['inputs'])['outputs']
            worst = max(worst, float((served - live).abs().max()))
            seen += [(epoch, int(s.sample_idx), s.stored_teacher_outputs[uuid]['view'])
                     for s in data['data_samples']]
    queue.put((rank, seen, worst))
    dist.destroy_process_group()


def test_each_rank_replays_its_own_samples(fashion_mnist_root, tmp_path):
    from mmengine.registry import init_default_scope

    from mmkd.store.extraction import extract_store
    init_default_scope('mmpretrain')
    images, labels = fashion_images(fashion_mnist_root, 16)
    store = str(tmp_path / 'store')
    assert extract_store(store, ArrayDataset(images, labels, RANDOM_PIPELINE), RANDOM_PIPELINE,
                         teacher_config(str(tmp_path)), preprocessor(), views=VIEWS,
                         progress=False)
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    context = mp.get_context('spawn')  # not fork: forked children of a torch process can hang
    queue = context.Queue()
    processes = [context.Process(target=_rank, args=(rank, 2, port, str(tmp_path), images,
                                                      labels, store, queue))
                 for rank in range(2)]
    for process in processes:
        process.start()
    try:
        results = {rank: (seen, worst) for rank, seen, worst in
                   (queue.get(timeout=300) for _ in processes)}
    finally:
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():
                process.terminate()
    for epoch in range(VIEWS):
        mine = [{index for e, index, _ in results[rank][0] if e == epoch} for rank in (0, 1)]
        assert not mine[0] & mine[1] and mine[0] | mine[1] == set(range(16))
    for rank in (0, 1):
        seen, worst = results[rank]
        assert all(view == epoch for epoch, _, view in seen)  # view = epoch mod K on every rank
        assert worst < 1e-5, f'rank {rank}: served outputs differ from the live teacher by {worst}'
    assert np.unique([index for e, index, _ in results[0][0] if e == 0]).size == 8
