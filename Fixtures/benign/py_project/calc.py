"""A tiny module under test."""


def add(a, b):
    return a + b


def mean(values):
    if not values:
        raise ValueError("mean of nothing")
    return sum(values) / len(values)


def words(text):
    return [w for w in text.split() if w]
