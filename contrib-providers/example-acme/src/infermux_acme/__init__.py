"""Acme provider for infermux: the out-of-tree example of a third-party package.

Rendered by ``infermux new-provider acme``, then given a second task (embeddings) and a
model it serves under its own id (``served_models``: ``provider="auto"`` picks Acme for it
without asking the Hugging Face Hub). It lives in the infermux repository but outside its
workspace: the packaging tests build it and install it beside the core wheel alone.

One helper per (provider, task): it turns a call into a request and a response into a
typed output, without any I/O (the core sends the request, adds the key, retries, polls).
The ``register_providers`` hook below is what the ``infermux.providers`` entry point in
pyproject.toml points at.
"""

from __future__ import annotations

from collections.abc import Callable

from infermux import TaskProviderHelper, hookimpl
from infermux.helpers.openai import OpenAIChatHelper, OpenAIEmbeddingsHelper

__all__ = ["AcmeChat", "AcmeEmbeddings", "register_providers"]


class Acme:
    """What every Acme helper shares."""

    provider = "acme"
    base_url = "https://api.acme.example"
    api_key_env: tuple[str, ...] = ("ACME_API_KEY",)
    #: The Hugging Face router does not serve this provider: calls go direct, with its key.
    routable = False
    #: Model ids are the provider's own: no Hub lookup.
    needs_model_mapping = False


class AcmeChat(Acme, OpenAIChatHelper):
    """Chat completions on ``POST /v1/chat/completions``, plain and streamed.

    The OpenAI-compatible base does the work; override ``prepare_payload`` or
    ``parse_response`` where the API differs, and narrow ``supported_parameters`` to what
    it honours (the core refuses the others before sending).
    """

    #: Acme's own model, unknown to the Hub: InferenceClient() (provider="auto") with
    #: model="acme/acme-large" comes here.
    served_models = frozenset({"acme/acme-large"})


class AcmeEmbeddings(Acme, OpenAIEmbeddingsHelper):
    """Embeddings for feature-extraction on ``POST /v1/embeddings``."""


@hookimpl
def register_providers(register: Callable[[TaskProviderHelper], None]) -> None:
    for helper in (AcmeChat, AcmeEmbeddings):
        register(helper())
