from __future__ import annotations

from bot.safe_logging import describe


def test_the_description_names_the_error_and_where_but_not_its_message() -> None:
    def parse(value: str) -> int:
        return int(value)

    try:
        try:
            parse("Jack Smith, born 03/04/2015")
        except ValueError as inner:
            raise RuntimeError("while reading Jack Smith's request") from inner
    except RuntimeError as error:
        text = describe(error)
    assert "RuntimeError" in text and "ValueError" in text
    assert "test_safe_logging.py" in text
    assert "Jack" not in text and "2015" not in text
