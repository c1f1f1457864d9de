"""Prompts for the debate chapter: Agent4Debate's four roles, the baseline, and a judge.

Written fresh from the description in Zhang et al., "Can LLMs Beat Humans in Debating?"
(arXiv 2408.04472, Sec. 3 and the framework figure): a debate has three stages —
constructive argument, rebuttal, summary — for Pro and Con. Per stage a team of four
role agents works on one speech: the Searcher writes search queries, the Analyzer plans
(definitions, judging standard and 2–3 arguments; weak links of the opponent; the main
clash), the Writer drafts the speech, and the Reviewer, reading as the opposing side's
coach, either asks for a revision (``<revise>…</revise>``) or accepts
(``<finish>\\boxed{FINISHED}</finish>``). The baseline is the foundation model asked for
the speech in one prompt. The judge follows Debatrix's idea (Liang et al., arXiv
2403.08010): read the speeches in order keeping a running memory, then score each side on
argument, source and language and name a winner, as JSON.

Strings and format functions only; the control flow is in ``replib.llm.debate``.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["MOTIONS", "STAGES", "SIDES", "SPEECH_ORDER", "ROLES", "DIMENSIONS", "system_prompt",
           "searcher_prompt", "analyzer_prompt", "writer_prompt", "reviewer_prompt",
           "baseline_prompt", "judge_memory_prompt", "judge_verdict_prompt", "transcript_text"]

STAGES = ("argument", "rebuttal", "summary")
SIDES = ("pro", "con")
SPEECH_ORDER = tuple((st, sd) for st in STAGES for sd in SIDES)  # Pro speaks first
ROLES = ("searcher", "analyzer", "writer", "reviewer")
DIMENSIONS = ("argument", "source", "language")

# 12 English motions written for this book (the paper's 66 Chinese motions are not
# released): (category, motion), four each of the paper's Fact / Value / Policy types.
MOTIONS = (
    ("fact", "Social media has done more harm than good to democratic debate."),
    ("fact", "Remote work lowers the productivity of knowledge workers."),
    ("fact", "Standardised tests predict university success."),
    ("fact", "Nuclear power is the safest source of large-scale electricity."),
    ("value", "Privacy matters more than convenience."),
    ("value", "It is better to be a generalist than a specialist."),
    ("value", "Ambition is a virtue."),
    ("value", "Justice is nothing but the interest of the stronger."),
    ("policy", "Cities should make public transport free."),
    ("policy", "Governments should ban advertising aimed at children."),
    ("policy", "Voting should be compulsory."),
    ("policy", "Universities should abolish legacy admissions."),
)

_STAGE_GOAL = {
    "argument": "the constructive speech: define the key terms, propose the standard by which "
                "the motion should be judged, and build two or three arguments, each with "
                "evidence and reasoning",
    "rebuttal": "the rebuttal: find the weakest links in the opponent's speeches (definitions, "
                "standard, evidence, logic), attack them, and defend your own case",
    "summary": "the closing summary: name the one or two clashes that decide the debate, show "
               "why your side wins each of them, and end with a clear conclusion",
}
_SIDE_NAME = {"pro": "Pro (supports the motion)", "con": "Con (opposes the motion)"}


def _check(stage: str, side: str) -> None:
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, got {stage!r}")
    if side not in SIDES:
        raise ValueError(f"side must be one of {SIDES}, got {side!r}")


def transcript_text(speeches: Sequence[tuple[str, str, str]]) -> str:
    """Render (stage, side, text) speeches in order, or a note that none exist yet."""
    if not speeches:
        return "(no speeches yet)"
    return "\n\n".join(f"[{st} — {sd.upper()}]\n{tx}" for st, sd, tx in speeches)


def system_prompt(role: str, *, motion: str, side: str, stage: str) -> str:
    """The system message of a role agent on one side, at one stage."""
    _check(stage, side)
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, got {role!r}")
    who = {"searcher": "the researcher who finds evidence",
           "analyzer": "the strategist who plans the speech",
           "writer": "the speaker who writes the speech",
           "reviewer": "the coach who reviews the draft as the opposing side would"}[role]
    return (f"You are {who} of a competitive debate team. Motion: \"{motion}\". "
            f"Your team is {_SIDE_NAME[side]}. Current task: {_STAGE_GOAL[stage]}.")


def searcher_prompt(*, motion: str, side: str, stage: str,
                    speeches: Sequence[tuple[str, str, str]], n_queries: int = 3) -> str:
    _check(stage, side)
    return (f"Debate so far:\n{transcript_text(speeches)}\n\n"
            f"Write at most {n_queries} short web-search queries that would find facts, data or "
            "examples useful for this speech. Put one query per line inside a block that "
            "starts with ```queries and ends with ```.")


def analyzer_prompt(*, motion: str, side: str, stage: str,
                    speeches: Sequence[tuple[str, str, str]], evidence: str,
                    feedback: str = "") -> str:
    _check(stage, side)
    fb = f"\n\nThe coach asked for changes to the last draft:\n{feedback}" if feedback else ""
    return (f"Debate so far:\n{transcript_text(speeches)}\n\nEvidence found:\n"
            f"{evidence or '(none)'}{fb}\n\nWrite a concise plan for {_STAGE_GOAL[stage]}. "
            "Use bullet points. Do not write the speech itself.")


def writer_prompt(*, motion: str, side: str, stage: str,
                  speeches: Sequence[tuple[str, str, str]], plan: str, evidence: str,
                  draft: str = "", feedback: str = "", max_words: int = 250) -> str:
    _check(stage, side)
    redo = (f"\n\nYour previous draft:\n{draft}\n\nThe coach's feedback:\n{feedback}\n"
            "Rewrite the speech to address the feedback." if feedback else "")
    return (f"Debate so far:\n{transcript_text(speeches)}\n\nPlan:\n{plan}\n\nEvidence:\n"
            f"{evidence or '(none)'}{redo}\n\nWrite the {stage} speech for "
            f"{_SIDE_NAME[side]} in at most {max_words} words. Output only the speech.")


def reviewer_prompt(*, motion: str, side: str, stage: str,
                    speeches: Sequence[tuple[str, str, str]], draft: str) -> str:
    _check(stage, side)
    return (f"Debate so far:\n{transcript_text(speeches)}\n\nDraft {stage} speech of "
            f"{_SIDE_NAME[side]}:\n{draft}\n\nRead the draft as the opposing team would. If "
            "it has a weakness worth fixing, reply <revise>specific feedback</revise>. If it "
            "is ready, reply <finish>\\boxed{FINISHED}</finish>. Reply with exactly one tag.")


def baseline_prompt(*, motion: str, side: str, stage: str,
                    speeches: Sequence[tuple[str, str, str]], max_words: int = 250) -> str:
    """The baseline: the foundation model asked for the speech directly."""
    _check(stage, side)
    return (f"Motion: \"{motion}\". You are {_SIDE_NAME[side]}.\nDebate so far:\n"
            f"{transcript_text(speeches)}\n\nWrite your {stage} speech in at most "
            f"{max_words} words. Output only the speech.")


def judge_memory_prompt(*, motion: str, memory: str, speech: tuple[str, str, str]) -> str:
    """One step of chronological analysis: update the running notes with one speech."""
    st, sd, tx = speech
    return (f"You judge a competitive debate on the motion \"{motion}\". Your notes so far:\n"
            f"{memory or '(none)'}\n\nNext speech [{st} — {sd.upper()}]:\n{tx}\n\n"
            "Update your notes: the arguments each side has made, which were answered, and "
            "the main clashes. Keep the notes under 200 words. Output only the notes.")


def judge_verdict_prompt(*, motion: str, memory: str) -> str:
    """The final decision as JSON, from the notes."""
    dims = ", ".join(f'"{d}"' for d in DIMENSIONS)
    return (f"You judged a debate on the motion \"{motion}\". Your notes:\n{memory}\n\n"
            f"Score each side from 1 to 10 on {dims}, then name the winner. Reply with one "
            'JSON object: {"pro": {"argument": n, "source": n, "language": n}, '
            '"con": {"argument": n, "source": n, "language": n}, "winner": "pro" or "con"}.')
