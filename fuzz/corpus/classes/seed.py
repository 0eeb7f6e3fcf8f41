classes = ["banana", "dog"]
templates = [lambda c: f"a photo of a {c}."]
