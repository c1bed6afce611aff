"""Merging the verbatim pass's hesitations into the plain pass's words (transcribe/hesitations.py)."""

from simulator.transcribe.base import TimedWord
from simulator.transcribe.hesitations import merge_hesitations


def timed(*items):
    """TimedWords from (text, start) pairs, each 0.2 s long."""
    return [TimedWord(text, start, start + 0.2, 0.9) for text, start in items]


def test_a_hesitation_both_passes_wrote_between_the_same_words_counts_once_even_when_times_disagree():
    # The plain pass put its "um" 0.9 s from where the verbatim pass put its "uh" (a word
    # stretched over the pause moves the times): both sit between "delegation" and "I", so they
    # are one sound, and the verbatim pass's spelling is kept.
    plain = timed(("delegation", 1.0), ("um.", 1.3), ("I", 2.6), ("used", 2.8), ("to", 3.0))
    verbatim = timed(("delegation,", 1.0), ("uh,", 2.2), ("I", 2.6), ("used", 2.8), ("to", 3.0))
    assert [w.text for w in merge_hesitations(plain, verbatim)] == ["delegation", "uh,", "I", "used", "to"]


def test_the_plain_pass_keeps_its_own_hesitation_where_the_verbatim_pass_heard_none():
    plain = timed(("so", 0.0), ("um,", 0.3), ("we", 0.6), ("shipped", 0.9), ("it", 1.2), ("and", 3.0), ("left", 3.3))
    verbatim = timed(("so", 0.0), ("we", 0.6), ("shipped", 0.9), ("it,", 1.2), ("uh,", 2.0), ("and", 3.0),
                     ("left", 3.3))
    merged = [w.text for w in merge_hesitations(plain, verbatim)]
    assert merged == ["so", "um,", "we", "shipped", "it", "uh,", "and", "left"]


def test_two_hesitations_the_verbatim_pass_wrote_in_a_row_are_both_kept():
    plain = timed(("invoke", 0.0), ("the", 0.4), ("uh", 1.6), ("operator", 2.0))
    verbatim = timed(("invoke", 0.0), ("the,", 0.4), ("uh,", 0.9), ("uh,", 1.4), ("operator.", 2.0))
    assert [w.text for w in merge_hesitations(plain, verbatim)] == ["invoke", "the", "uh,", "uh,", "operator"]


def test_a_hesitation_as_near_to_the_words_on_both_sides_goes_to_the_side_nearer_in_time():
    # The verbatim pass stopped after "erm" and went on at "Now": the words between were said
    # after the hesitation, 2 s before "Now", so it goes after "and", not before "Now".
    plain = timed(("and", 5.5), ("I", 6.4), ("slowed", 6.7), ("the", 7.0), ("team", 7.2), ("down.", 7.4),
                  ("Now", 8.3))
    verbatim = timed(("and,", 5.5), ("erm,", 6.0), ("Now,", 8.3))
    merged = [w.text for w in merge_hesitations(plain, verbatim)]
    assert merged == ["and", "erm,", "I", "slowed", "the", "team", "down.", "Now"]
    # ... and before "Now" when it was heard just before it.
    verbatim = timed(("and,", 5.5), ("erm,", 7.9), ("Now,", 8.3))
    assert [w.text for w in merge_hesitations(plain, verbatim)][-2:] == ["erm,", "Now"]
