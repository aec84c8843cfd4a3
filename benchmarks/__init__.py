def report(found: object, out: str | None) -> None:
    """A part's measurements as JSON: into `out` for `make bench` to gather, else on stdout."""
    import json

    text = json.dumps(found, indent=2)
    if out:
        with open(out, "w") as file:
            file.write(text)
    else:
        print(text)
