"""Exceptions raised by Hector's data and runtime layers."""


class DataFormatError(ValueError):
    """Malformed or inconsistent input data.

    The message always starts with a location: ``file:line: message`` for
    text input, ``file: message`` when no single line is at fault, and
    ``array 'name': message`` for in-memory arrays.
    """

    def __init__(self, message, path=None, line=None, array=None):
        self.path = None if path is None else str(path)
        self.line = line
        self.array = array
        self.reason = message
        if path is not None and line is not None:
            where = f"{path}:{line}: "
        elif path is not None:
            where = f"{path}: "
        elif array is not None:
            where = f"array '{array}': "
        else:
            where = ""
        super().__init__(where + message)


class RuntimeLibraryError(RuntimeError):
    """The native runtime library is missing or reported an error."""
