"""Map labels (map_data.place_labels): beside their own dot, clear of other labels and dots, and of
the drawn road when a position allows it; the road never costs a place its name."""

from __future__ import annotations

from chronology.map_data import _line_boxes, place_labels


def test_a_label_moves_off_the_road_when_another_side_is_clear():
    road = _line_boxes([(100, 100), (200, 100)])  # a road running right from the dot
    assert place_labels([(100, 100, "Lachin")], 300, 200) == ["right"]
    assert place_labels([(100, 100, "Lachin")], 300, 200, avoid=road) == ["left"]


def test_the_road_never_costs_a_place_its_name():
    # roads on every side: the label is still placed (the least crossed side), never dropped
    road = _line_boxes([(0, 100), (300, 100)]) + _line_boxes([(150, 0), (150, 200)])
    assert place_labels([(150, 100, "Shusha")], 300, 200, avoid=road) != ["none"]


def test_labels_still_avoid_each_other_and_the_edges():
    # the second label cannot go right (off the frame) nor over the first
    out = place_labels([(100, 100, "Stepanakert"), (280, 100, "Shusha")], 300, 200)
    assert out[1] != "right" and out[1] != "none"
