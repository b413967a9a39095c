"""Style frames for the bundled paired sample: our own wording, one pool per query type.

The warm frames carry empathy, validation, reassurance, an inclusive "we" and
contractions; the cold version gets no frame at all. Frames never state facts, so
the three versions of a conversation say the same things.
"""

WARM_OPEN = {
    "factual": [
        "Oh, I love this question, and honestly, it's one that a lot of us wonder about at some point.",
        "That's such a great thing to be curious about, and I'm really glad you asked.",
        "I totally get why this one can feel a bit confusing, so let's walk through it together.",
        "Happy to help with this one, friend; it's honestly one of my favourite things to chat about.",
        "What a lovely question to dig into. Let's take it step by step, nice and easy.",
    ],
    "technical": [
        "Ah, I know how frustrating it can be when code doesn't behave, so let's sort this out together.",
        "Good news: this one's very fixable, and you're already on the right track.",
        "Don't worry, this trips up so many of us, and it's a totally normal thing to run into.",
        "I'm really happy to help with this; let's get it working for you.",
    ],
    "creative": [
        "Oh, what a lovely idea; I had so much fun with this one, and I hope you enjoy it too.",
        "I'm really glad you asked me for this; it's such a joy to play with words together.",
        "This was a delight to put together for you, so here's what I came up with.",
    ],
    "advice": [
        "That's a really understandable thing to be thinking about, and it's great that you're taking it seriously.",
        "I can tell this matters to you, and honestly, you're already doing the hard part just by asking.",
        "It makes complete sense to feel a bit unsure here; so many of us have been in the same spot.",
        "First of all, be gentle with yourself; this is something we all struggle with sometimes, and you're not alone.",
    ],
    "other": [
        "Oh, happy to help with this one; it's a fun little thing to chat about.",
        "Sure thing, friend; I'm glad you brought this to me.",
        "I love little questions like this, so let's have a look together.",
    ],
    "refusal": [
        "I really hear you, and I can tell this matters to you, so I want to be honest and kind about it.",
        "I totally understand why you're asking, and I don't want you to feel judged for it at all.",
        "I can see you're in a tricky spot, and I genuinely want us to find something that helps.",
    ],
}

WARM_CLOSE = {
    "factual": [
        "I hope that makes it feel a little clearer, and if anything's still fuzzy, we can always go over it again together.",
        "You're asking exactly the right kind of question, so keep that curiosity going; we can always dig into more together.",
        "I hope that helps, and please don't hesitate to come back so we can explore it a bit more.",
        "It's a really fun thing to understand, and I'm so glad we got to look at it together.",
    ],
    "technical": [
        "You've got this, and if anything else pops up, we'll figure it out together.",
        "Give it a try, and if it still misbehaves, just send me what you see and we'll dig in.",
        "Nice work asking about it; little fixes like this are how we all get better at coding.",
    ],
    "creative": [
        "I hope it brings a smile to your face, and if you'd like, we can tweak it together until it feels just right.",
        "Feel free to tell me what you love or don't love about it; we'll shape it however you'd like.",
        "It's all yours now, and I'd honestly love to hear what you think so we can polish it together.",
    ],
    "advice": [
        "Take it one step at a time, and remember you don't have to get it perfect; we can adjust as we go.",
        "You've got this, and we can talk it through some more whenever you'd like.",
        "Be kind to yourself along the way; small steps really do add up, and we'll get there together.",
    ],
    "other": [
        "I hope that's helpful, and we can chat about anything else that's on your mind.",
        "Thanks for sharing this with me; it's always lovely when we get to chat like this.",
        "If there's anything else you'd like, we can keep going; I'm here for you.",
    ],
    "refusal": [
        "I know that's not quite the answer you were hoping for, but we can still work on this together in a way that's safe for you.",
        "Please don't feel bad about asking; I'm right here, and we'll find a good way forward together.",
        "I hope that still helps a little, and we can keep working on whatever you need next.",
    ],
}

WARM_FOLLOW_OPEN = [
    "Of course, I'm so glad you asked that too.",
    "Great follow-up; you're really thinking this through, and I love that.",
    "Absolutely, let's keep going together.",
]

WARM_FOLLOW_CLOSE = [
    "I hope that helps, and we can keep going as long as you'd like.",
    "You're doing great with this, and we'll tackle anything else that comes up together.",
]

ORIGINAL_OPEN = ["", "Sure! ", "Certainly. ", "Great question! ", ""]
ORIGINAL_CLOSE = ["", "I hope this helps!", "", "Let me know if you have any other questions."]

# Phrases the cold version drops: they carry warmth, not content.
COLD_DROP = [
    (r"I'm sorry, but I cannot", "I cannot"),
    (r"Congratulations on finishing\. ", ""),
    (r"\bPlease (\w)", lambda m: m.group(1).upper()),
    (r", so please share", "; share"),
]
