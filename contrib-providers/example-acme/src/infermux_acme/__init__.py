"""Acme provider for infermux: the out-of-tree example of a third-party package.

Rendered by ``infermux new-provider acme``, then given a second task (embeddings), a
model it serves under its own id (``served_models``: ``provider="auto"`` picks Acme for it
without asking the Hugging Face Hub) and a task with its own wire format: text-to-image as
a paid job, declared with :class:`~infermux.helpers.JobStates`. It lives in the infermux
repository but outside its workspace: the packaging tests build it and install it beside
the core wheel alone.

The provider is one object: its id, API root, key variable and the task helpers it owns.
A helper turns a call into a request and a response into a typed output, without any I/O
(the core sends the request, adds the key, retries, polls). ``register_providers`` below is
the plugin's hook, what the ``infermux.providers`` entry point in pyproject.toml (named
``acme``, the provider id) points at.
"""

from __future__ import annotations

from typing import Any

from infermux import ImageOutput, Provider
from infermux.helpers import (
    Call,
    HTTPRequest,
    JobStates,
    Payload,
    Response,
    TaskProviderHelper,
    follow_job,
    lookup,
)
from infermux.helpers.openai import OpenAIChatHelper, OpenAIEmbeddingsHelper

__all__ = [
    "ACME_JOB",
    "AcmeChat",
    "AcmeEmbeddings",
    "AcmeTextToImage",
    "acme",
    "register_providers",
]

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


#: What Acme's image jobs answer: ``{"id", "status", "image_url", "error"}``.
ACME_JOB = JobStates(
    status="status",
    done={"done"},
    failed={"failed"},
    cancelled={"cancelled"},
    pending={"queued", "running"},  # any other status is a ResponseFormatError
    reason=("error",),
)


@acme.task
class AcmeTextToImage(TaskProviderHelper):
    """Images as a job: ``POST /v2/images`` starts it, ``GET /v2/images/<id>`` polls it,
    ``DELETE /v2/images/<id>`` cancels it; a done job names ``image_url`` on Acme's CDN.

    The core runs what the helper describes: it never resends the submission once it may
    have arrived, polls at the client's ``poll_interval`` and sends the cancel request if
    the caller gives up (deadline, Ctrl-C, a ``CancelToken``).
    """

    task = "text-to-image"
    output_type = ImageOutput
    supported_parameters = frozenset({"width", "height", "seed", "num_inference_steps"})
    #: The spec's names Acme spells differently, applied by ``self.rename()``.
    parameter_renames = {"num_inference_steps": "steps"}
    # The first request starts a paid job: the core never resends it once it may have
    # reached the provider, and a JobMayExistError points users at their jobs page.
    creates_job = True
    jobs_url = "https://acme.example/dashboard/jobs"

    def prepare_route(self, call: Call) -> str:
        return "/v2/images"

    def prepare_payload(self, call: Call) -> Payload:
        return {
            "model": call.model.provider_model_id,
            "prompt": call.inputs,
            **self.rename(call.parameters),
        }

    def parse_response(self, response: Response, call: Call) -> Any:
        job = self.json_object(response)
        job_id = job.get("id")
        if not isinstance(job_id, str) or not job_id:
            raise self.unexpected(job, missing="id")  # a ResponseFormatError naming it
        return follow_job(
            self,
            ACME_JOB,
            job_id=job_id,
            poll=f"{call.base_url}/v2/images/{job_id}",  # GET, with the key
            cancel=HTTPRequest("DELETE", f"{call.base_url}/v2/images/{job_id}"),
            result=self._image,
            answer=job,  # the submission already says where the job is
        )

    def _image(self, job: dict[str, Any]) -> Any:
        url = lookup(job, "image_url")
        if not isinstance(url, str) or not url:
            raise self.unexpected(job, missing="image_url")
        # A data URL is decoded; a link on the CDN is downloaded without the key.
        return self.media_output(url)


register_providers = acme.hook()
