"""Which aspect questions carry information: yes-probability per class and question."""
import csv
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np


def class_statistics(probs: np.ndarray, labels: Sequence[Optional[str]]):
    """``(classes, mean [K, Q], std [K, Q], count [K])`` of the yes-probabilities per class.

    Images without a class are grouped as ``'all'``.
    """
    names = [label if label is not None else 'all' for label in labels]
    classes = sorted(set(names))
    mean = np.zeros((len(classes), probs.shape[1]))
    std = np.zeros_like(mean)
    count = np.zeros(len(classes), dtype=int)
    for k, name in enumerate(classes):
        rows = probs[[n == name for n in names]]
        mean[k], std[k], count[k] = rows.mean(0), rows.std(0), len(rows)
    return classes, mean, std, count


def write_summary(out_dir: str, probs: np.ndarray, labels: Sequence[Optional[str]],
                  questions: Sequence[str]) -> Dict[str, str]:
    """Write ``summary.csv`` (class × question mean/std), ``summary.md`` and a heatmap PNG.

    ``summary.md`` ranks the questions by the spread of their class means: a question whose
    yes-probability is the same for every class tells the student nothing about the classes.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    classes, mean, std, count = class_statistics(probs, labels)
    paths = {name: osp.join(out_dir, name)
             for name in ('summary.csv', 'summary.md', 'summary_heatmap.png')}
    with open(paths['summary.csv'], 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['class', 'num_images', 'question_index', 'question', 'mean', 'std'])
        for k, name in enumerate(classes):
            for q, question in enumerate(questions):
                writer.writerow([name, count[k], q, question, f'{mean[k, q]:.4f}',
                                 f'{std[k, q]:.4f}'])
    spread = mean.std(0)
    lines = ['| q | question | mean p(yes) | std over images | std of class means | '
             'lowest class | highest class |', '|---|---|---|---|---|---|---|']
    for q in np.argsort(-spread):
        lines.append(f'| {q} | {questions[q]} | {probs[:, q].mean():.3f} | '
                     f'{probs[:, q].std():.3f} | {spread[q]:.3f} | '
                     f'{classes[mean[:, q].argmin()]} ({mean[:, q].min():.2f}) | '
                     f'{classes[mean[:, q].argmax()]} ({mean[:, q].max():.2f}) |')
    with open(paths['summary.md'], 'w') as f:
        f.write(f'# Aspect summary: {len(probs)} images, {len(classes)} classes, '
                f'{len(questions)} questions\n\nRows sorted by the spread of the class means '
                '(most informative first).\n\n' + '\n'.join(lines) + '\n')

    fig, ax = plt.subplots(figsize=(max(6, 0.25 * len(questions) + 3),
                                    max(3, 0.25 * len(classes) + 2)))
    image = ax.imshow(mean, vmin=0, vmax=1, cmap='viridis', aspect='auto')
    ax.set_xticks(range(len(questions)))
    ax.set_xticklabels([str(q) for q in range(len(questions))], fontsize=6)
    ax.set_yticks(range(len(classes)))
    ax.set_yticklabels(classes, fontsize=6)
    ax.set_xlabel('aspect question (index in the question file)')
    ax.set_ylabel('class')
    ax.set_title('mean p(yes) per class')
    fig.colorbar(image, ax=ax)
    fig.tight_layout()
    fig.savefig(paths['summary_heatmap.png'], dpi=120)
    plt.close(fig)
    return paths
