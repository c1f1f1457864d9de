"""PReSO's compact candidate set for ``envs.travel`` instances (TourPlanner, Wang et al. 2026,
arXiv 2601.04698, Sec. 3.1, "Personalized Recall and Spatial Optimization"), offline reading.

The paper's three steps, as its summaries describe them (the exact formulas are not public):

1. **User profile and multi-branch recall.** Must-visit attractions are always kept. A
   *preference* branch (the paper: embedding similarity between the query and POI
   descriptions) ranks attractions by preferred category, then rating; a *landmark* branch
   (the paper: 4A/5A sights) adds the top-rated ones. Here both branches read the instance's
   structured fields, so "similarity" is an exact category match.
2. **Spatial clustering.** DBSCAN (``sklearn.cluster.DBSCAN``) on the recalled attractions,
   with an adaptive ε: the median distance of a point to its ``min_samples``-th nearest
   recalled neighbour. Clusters are ranked by the recall score they hold; the best ones are
   kept until they hold ``per_day`` × days attractions (the must-visits' clusters first,
   noise points only when they are must-visits).
3. **Anchoring.** The kept clusters' centroids anchor the hotel (of the required class,
   among the cheaper half, the nearest to the centroid of the kept attractions) and the
   restaurants (the ``rest_per_day`` × days nearest to any centroid).

``preso(inst)`` returns the candidate mask over attractions then restaurants and the hotel,
ready for ``travel_policy.rollout(candidates=..., hotels=...)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.cluster import DBSCAN

from replib.envs.travel import Instance

__all__ = ["Candidates", "recall_scores", "adaptive_eps", "preso"]


@dataclass(frozen=True)
class Candidates:
    """A compact candidate set: ``mask`` over attractions then restaurants, the hotel, and
    the DBSCAN labels of the recalled attractions (-1 = noise; -2 = not recalled)."""

    mask: np.ndarray
    hotel: int
    labels: np.ndarray
    n_attr: int

    @property
    def attractions(self) -> np.ndarray:
        return np.flatnonzero(self.mask[:self.n_attr])

    @property
    def restaurants(self) -> np.ndarray:
        return np.flatnonzero(self.mask[self.n_attr:])


def recall_scores(inst: Instance) -> np.ndarray:
    """Recall score per attraction: must-visit ≫ preferred category (preference branch) ≫
    rating (landmark branch, normalised to [0, 1))."""
    c, q = inst.city, inst.query
    score = np.isin(c.attr_cat, q.preferred).astype(float) + (c.attr_rating - 3.0) / 2.01
    score[list(q.must)] += 10.0
    return score


def adaptive_eps(xy: np.ndarray, min_samples: int) -> float:
    """Median distance from a point to its ``min_samples``-th nearest other point."""
    if len(xy) < 2:
        return 1.0
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    k = min(min_samples, len(xy) - 1)
    return float(np.median(np.sort(d, axis=1)[:, k]))


def preso(inst: Instance, *, n_recall: int = 20, per_day: int = 5, rest_per_day: int = 4,
          min_samples: int = 3) -> Candidates:
    """The compact candidate set of one instance (module docstring)."""
    for name, v in (("n_recall", n_recall), ("per_day", per_day),
                    ("rest_per_day", rest_per_day), ("min_samples", min_samples)):
        if not isinstance(v, int) or v < 1:
            raise ValueError(f"{name}={v!r} is not allowed: expected an integer >= 1")
    c, q = inst.city, inst.query
    n_a = len(c.attr_xy)
    score = recall_scores(inst)
    recalled = np.argsort(-score, kind="stable")[:max(n_recall, len(q.must))]
    labels_r = DBSCAN(eps=adaptive_eps(c.attr_xy[recalled], min_samples),
                      min_samples=min_samples).fit(c.attr_xy[recalled]).labels_
    labels = np.full(n_a, -2)
    labels[recalled] = labels_r
    # rank clusters: those holding a must-visit first, then by the recall score they hold
    must = set(q.must)

    def rank(lab):
        members = recalled[labels_r == lab]
        return -any(i in must for i in members), -score[members].sum()

    clusters = sorted(set(labels_r) - {-1}, key=rank)
    keep = np.zeros(n_a, dtype=bool)
    keep[list(must)] = True
    for lab in clusters:
        if keep.sum() >= per_day * q.days:
            break
        keep[recalled[labels_r == lab]] = True
    if keep.sum() < per_day * q.days:  # too few clustered: fill with the best recalled
        for i in recalled:
            if keep.sum() >= per_day * q.days:
                break
            keep[i] = True
    kept = np.flatnonzero(keep)
    kept_labels = {int(labels[i]) for i in kept} - {-1, -2}
    centroids = [c.attr_xy[(labels == lab) & keep].mean(0) for lab in sorted(kept_labels)]
    centroids = np.array(centroids) if centroids else c.attr_xy[kept].mean(0, keepdims=True)
    centre = c.attr_xy[kept].mean(0)
    ok = np.flatnonzero(c.hotel_class >= q.min_class)
    pool = ok if len(ok) else np.arange(len(c.hotel_xy))
    cheap = pool[c.hotel_price[pool] <= np.median(c.hotel_price[pool])]
    hotel = int(cheap[np.argmin(np.hypot(*(c.hotel_xy[cheap] - centre).T))])
    d_rest = np.hypot(*(c.rest_xy[:, None, :] - centroids[None]).transpose(2, 0, 1)).min(1)
    rests = np.argsort(d_rest, kind="stable")[:rest_per_day * q.days]
    mask = np.zeros(n_a + len(c.rest_xy), dtype=bool)
    mask[kept] = True
    mask[n_a + rests] = True
    return Candidates(mask, hotel, labels, n_a)
