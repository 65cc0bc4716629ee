"""What the NHS Choices page our demo reproduces says (../shared/seed), for tests to check against."""

# Its section headings, in order: the demo guide must show them as the seed has them.
SEED_HEADINGS = [
    "Who is affected by dystonia?",
    "Types of dystonia",
    "Causes of dystonia",
    "Diagnosing dystonia",
    "Treating dystonia",
    "Outlook",
]
