"""llm.prompts.debate: stage/side/role validation and the speech order."""

import pytest

from replib.llm.prompts import debate as DP


def test_order_roles_and_motions():
    assert DP.SPEECH_ORDER[0] == ("argument", "pro") and len(DP.SPEECH_ORDER) == 6
    assert {c for c, _ in DP.MOTIONS} == {"fact", "value", "policy"} and len(DP.MOTIONS) == 12
    sp = [("argument", "pro", "We win.")]
    text = DP.reviewer_prompt(motion="m", side="con", stage="rebuttal", speeches=sp,
                              draft="Draft.")
    assert "<revise>" in text and "\\boxed{FINISHED}" in text and "We win." in text
    assert "```queries" in DP.searcher_prompt(motion="m", side="pro", stage="argument",
                                              speeches=[])
    assert "coach" in DP.system_prompt("reviewer", motion="m", side="pro", stage="summary")


def test_bad_names_are_one_line_errors():
    with pytest.raises(ValueError, match="stage must be one of"):
        DP.baseline_prompt(motion="m", side="pro", stage="closing", speeches=[])
    with pytest.raises(ValueError, match="side must be one of"):
        DP.writer_prompt(motion="m", side="gov", stage="argument", speeches=[], plan="",
                         evidence="")
    with pytest.raises(ValueError, match="role must be one of"):
        DP.system_prompt("coach", motion="m", side="pro", stage="argument")
