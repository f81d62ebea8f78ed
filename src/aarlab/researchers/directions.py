"""Nine deliberately open starting directions, in our own words.

A direction is a place to start looking, not a recipe: each researcher gets one (by key, in
`ResearcherContext.direction`), and `--undirected` gives every researcher none. The keys are
stable: records, the builtin researcher's family weights and the dashboard use them.
"""

from __future__ import annotations

from pydantic import BaseModel


class Direction(BaseModel):
    key: str
    title: str
    text: str


DIRECTIONS: list[Direction] = [
    Direction(key="unsupervised-elicitation", title="Unsupervised elicitation", text=(
        "The strong model may already represent the concept the task asks about. Look for ways to "
        "read it out of the strong features without trusting the teacher much: structure, "
        "consistency or clustering in the representation that a label-free objective can find.")),
    Direction(key="data-reweighting", title="Data reweighting", text=(
        "Not every weak label deserves the same weight. Find label-free signals that say which "
        "training items the teacher probably got right or wrong, and reweight, filter or relabel.")),
    Direction(key="w2s-plus-elicitation", title="Weak supervision meets elicitation", text=(
        "Weak labels and unsupervised structure fail in different ways. Look for a way to combine "
        "them so that each corrects the other, rather than choosing one.")),
    Direction(key="noisy-teacher-posterior", title="A posterior over the true labels", text=(
        "Treat the teacher as a noisy channel. Model how its errors arise and infer, for each item, "
        "a belief about the true label given the teacher's output and the strong features.")),
    Direction(key="distillation-variants", title="Variants of distillation", text=(
        "How the student learns from the teacher matters: targets, temperatures, losses, rounds of "
        "self-training, ensembles and auxiliary terms. Explore which variants stop the student "
        "from imitating the teacher's mistakes.")),
    Direction(key="simplicity-bias", title="Simplicity bias", text=(
        "A strong student that prefers simple explanations may ignore the teacher's idiosyncratic "
        "errors. Explore constraints on the student (capacity, regularisation, low-rank or sparse "
        "structure, early stopping) that favour the simple concept over the teacher's noise.")),
    Direction(key="learnability-selection", title="Selection by learnability", text=(
        "Correct labels tend to be learned early and consistently; wrong ones late or not at all. "
        "Use how learnable each item's weak label is to decide what to train on.")),
    Direction(key="evolutionary-search", title="Evolutionary search", text=(
        "Treat methods as a population. Mutate and recombine the ideas that work (yours and your "
        "colleagues' on the forum), select with label-free proxies, and spend scored submissions "
        "only on the survivors.")),
    Direction(key="inside-the-representation", title="Looking inside the representation", text=(
        "Study the strong representation itself: directions, neighbourhoods, what separates the "
        "items the teacher is unsure about. Let what you see suggest the method.")),
]

DIRECTIONS_BY_KEY: dict[str, Direction] = {d.key: d for d in DIRECTIONS}


def get_direction(key: str | None) -> Direction | None:
    """The direction for a key; None for no key (undirected). Unknown keys raise KeyError."""
    if key is None or key == "":
        return None
    if key not in DIRECTIONS_BY_KEY:
        raise KeyError(f"unknown direction {key!r}; known: {sorted(DIRECTIONS_BY_KEY)}")
    return DIRECTIONS_BY_KEY[key]
