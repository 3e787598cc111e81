"""Vocabulary for generated captions: common nouns of old Korean photographs."""

from pathlib import Path

NOUNS = Path(__file__).with_name("korean_words.txt").read_text("utf-8").split()
PARTICLES = [
    "",
    "",
    "",
    "에서",
    "의",
    "을",
    "를",
    "이",
    "가",
    "와",
    "과",
    "에",
    "으로",
    "들",
    "앞에서",
    "옆의",
    "에서의",
    "까지",
]
VERBS = [
    "찍은",
    "모인",
    "하는",
    "가는",
    "놀던",
    "서 있는",
    "앉아 있는",
    "지나는",
    "기다리는",
    "구경하는",
    "일하는",
    "웃는",
    "건너는",
    "만든",
    "열린",
    "보이는",
]
