"""The dashboard served to web browsers: textual-serve behind the doors it lacks."""
