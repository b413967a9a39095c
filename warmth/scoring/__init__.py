"""Scoring primitives with no knowledge of the evaluation engine.

``loglik``: batched continuation log-likelihood (lm-eval-compatible splits);
``sociot``: the SocioT warmth score; ``style_markers``: the rate of a
style's surface markers per 100 words; ``numbers``: GSM8K final-number
extraction; ``letters``: multiple-choice letter extraction;
``scorer_model``: loading SocioT's scorer LM.
"""

from warmth.scoring.letters import extract_letter
from warmth.scoring.loglik import choice_loglikelihoods, encode_pair, loglikelihoods, token_logprobs
from warmth.scoring.numbers import extract_final_number, numbers_equal
from warmth.scoring.sociot import SocioT, SocioTResult
from warmth.scoring.style_markers import MarkerRate

__all__ = [
    "MarkerRate", "SocioT", "SocioTResult", "choice_loglikelihoods", "encode_pair", "extract_final_number",
    "extract_letter", "loglikelihoods", "numbers_equal", "token_logprobs",
]
