"""The shelf's IN lists come in few lengths (each length is a statement PostgreSQL prepares)."""

from services.content.feeds.shelf import padded


def test_id_lists_are_padded_to_a_power_of_two_with_the_same_ids():
    assert padded([]) == []
    lengths = set()
    for n in range(1, 600):
        ids = list(range(n))
        out = padded(ids)
        assert out[:n] == ids
        assert set(out) == set(ids)
        assert len(out) >= n
        assert len(out) & (len(out) - 1) == 0
        assert len(out) < 2 * n
        lengths.add(len(out))
    assert lengths == {1 << k for k in range(11)}  # 1, 2, 4, ... 1,024
