"""Acme provider for infermux: the out-of-tree example of a third-party package.

Rendered by ``infermux new-provider acme``, then given a second task (embeddings) and a
model it serves under its own id (``served_models``: ``provider="auto"`` picks Acme for it
without asking the Hugging Face Hub). It lives in the infermux repository but outside its
workspace: the packaging tests build it and install it beside the core wheel alone.

The provider is one object: its id, API root, key variable and the task helpers it owns.
A helper turns a call into a request and a response into a typed output, without any I/O
(the core sends the request, adds the key, retries, polls). ``register_providers`` below is
the plugin's hook, what the ``infermux.providers`` entry point in pyproject.toml (named
``acme``, the provider id) points at.
"""

from __future__ import annotations

from infermux import Provider
from infermux.helpers.openai import OpenAIChatHelper, OpenAIEmbeddingsHelper

__all__ = ["AcmeChat", "AcmeEmbeddings", "acme", "register_providers"]

acme = Provider(
    "acme",
    base_url="https://api.acme.example",
    key_env="ACME_API_KEY",
    # The Hugging Face router does not serve this provider: calls go direct, with its key.
    routable=False,
    # Model ids are the provider's own: no Hub lookup.
    needs_model_mapping=False,
    # Acme's embeddings endpoint takes at most 256 texts a request.
    max_batch_size={"feature-extraction": 256},
)


@acme.task
class AcmeChat(OpenAIChatHelper):
    """Chat completions on ``POST /v1/chat/completions``, plain and streamed.

    The OpenAI-compatible base does the work; override ``prepare_payload`` or
    ``parse_response`` where the API differs, and narrow ``supported_parameters`` to what
    it honours (the core refuses the others before sending).
    """

    #: Acme's own model, unknown to the Hub: InferenceClient() (provider="auto") with
    #: model="acme/acme-large" comes here.
    served_models = frozenset({"acme/acme-large"})


@acme.task
class AcmeEmbeddings(OpenAIEmbeddingsHelper):
    """Embeddings for feature-extraction on ``POST /v1/embeddings``."""


register_providers = acme.hook()
