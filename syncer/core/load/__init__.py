"""Read schedule files: safe YAML with a line:column on every mapping key, duplicate keys as errors.

``discover`` finds the files, ``read_file`` reads one within the size limit, ``parse_file`` turns
its bytes into a document of ``LocDict`` mappings (``fast``: one pass over libyaml's events;
``full``: every YAML feature and every error). Only the safe constructors run, so a tag such as
``!!python/object/apply`` is an error, never an object. Limits come in as a ``Limits`` value.
"""

from syncer.core.load.discover import SUFFIXES, discover
from syncer.core.load.document import LoadError, LocDict, SourceFile
from syncer.core.load.read import LoadResult, load_files, load_text, parse_file, read_file

__all__ = [
    "SUFFIXES",
    "LoadError",
    "LoadResult",
    "LocDict",
    "SourceFile",
    "discover",
    "load_files",
    "load_text",
    "parse_file",
    "read_file",
]
