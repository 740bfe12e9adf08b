"""Text understanding: classification, entities, zero-shot, fill-mask, extractive and table
question answering, and tabular models."""

from __future__ import annotations

from typing import Any

from infermux.helpers.base import Call, LazyType, Payload, Response
from infermux.helpers.hf.common import HFTaskHelper
from infermux.helpers.parsing import validate_list

__all__ = [
    "HFFillMaskHelper",
    "HFQuestionAnsweringHelper",
    "HFTableQuestionAnsweringHelper",
    "HFTabularClassificationHelper",
    "HFTabularRegressionHelper",
    "HFTextClassificationHelper",
    "HFTokenClassificationHelper",
    "HFZeroShotClassificationHelper",
]


class HFTextClassificationHelper(HFTaskHelper):
    task = "text-classification"
    output_type = list
    supported_parameters = frozenset({"function_to_apply", "top_k"})

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import TextClassificationOutputElement  # pydantic: on first use

        return self.elements(TextClassificationOutputElement, response)


class HFTokenClassificationHelper(HFTaskHelper):
    """Named entities and the like; a text with none gives an empty list."""

    task = "token-classification"
    output_type = list
    supported_parameters = frozenset({"aggregation_strategy", "ignore_labels", "stride"})

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import TokenClassificationOutputElement

        return self.elements(TokenClassificationOutputElement, response, allow_empty=True)


class HFZeroShotClassificationHelper(HFTaskHelper):
    """Labels with scores, best first.

    The pipeline answers ``{"sequence", "labels": [...], "scores": [...]}`` (sometimes
    wrapped in a one-item list); newer servers a list of ``{"label", "score"}``. All become
    ``ZeroShotClassificationOutputElement``s; anything else is a ResponseFormatError naming
    the missing field (``label`` and ``score`` are required).
    """

    task = "zero-shot-classification"
    output_type = list
    supported_parameters = frozenset({"candidate_labels", "multi_label", "hypothesis_template"})

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import ZeroShotClassificationOutputElement

        body = response.json()
        if (
            isinstance(body, list)
            and len(body) == 1
            and isinstance(body[0], dict)
            and ("labels" in body[0])
        ):
            body = body[0]  # the pipeline's answer wrapped in a one-item list
        if isinstance(body, dict) and "labels" in body:
            labels, scores = body.get("labels"), body.get("scores")
            if not isinstance(labels, list) or not isinstance(scores, list) or not labels:
                self.fail("'labels' and 'scores' lists", body)
            if len(labels) != len(scores):
                self.fail("as many scores as labels", body)
            pairs = [{"label": lb, "score": sc} for lb, sc in zip(labels, scores, strict=True)]
            return validate_list(
                ZeroShotClassificationOutputElement, pairs, self.provider, self.task
            )
        return self.elements(ZeroShotClassificationOutputElement, response)


class HFFillMaskHelper(HFTaskHelper):
    """Candidates for the one mask token of the text (``[MASK]``, ``<mask>`` ... per model)."""

    task = "fill-mask"
    output_type = list
    supported_parameters = frozenset({"targets", "top_k"})

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import FillMaskOutputElement

        return self.elements(FillMaskOutputElement, response)


class HFQuestionAnsweringHelper(HFTaskHelper):
    """``{"inputs": {"question", "context"}}``; one answer, or a list when ``top_k > 1``."""

    task = "question-answering"
    output_type = LazyType("QuestionAnsweringOutputElement")
    supported_parameters = frozenset(
        {
            "align_to_words",
            "doc_stride",
            "handle_impossible_answer",
            "max_answer_len",
            "max_question_len",
            "max_seq_len",
            "top_k",
        }
    )

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import QuestionAnsweringOutputElement

        parsed = self.answers(QuestionAnsweringOutputElement, response.json())
        top_k = call.parameters.get("top_k")
        return parsed if isinstance(top_k, int) and top_k > 1 else parsed[0]


class HFTableQuestionAnsweringHelper(HFTaskHelper):
    """Body ``{"inputs": null, "parameters": {...}, "query", "table"}``, as Hugging Face's
    client sends it; the answer is one object."""

    task = "table-question-answering"
    output_type = LazyType("TableQuestionAnsweringOutputElement")
    supported_parameters = frozenset({"padding", "sequential", "truncation"})

    def prepare_payload(self, call: Call) -> Payload:
        if not isinstance(call.inputs, dict):
            self.fail_input("{'query': ..., 'table': {...}}", call.inputs)
        return {"inputs": None, "parameters": dict(call.parameters), **call.inputs}

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import TableQuestionAnsweringOutputElement

        return self.one(TableQuestionAnsweringOutputElement, self.json_first(response), "answer")


class _Tabular(HFTaskHelper):
    """``{"inputs": {"data": {column: [cells]}}}``; one prediction per row."""

    output_type = list
    supported_parameters = frozenset()

    def predictions(self, response: Response) -> list[Any]:
        values = self.json_list(response)
        if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values):
            self.fail("one prediction per row", values)
        return values


class HFTabularClassificationHelper(_Tabular):
    """Labels as strings, whatever JSON type the model's classes have (``5`` -> ``"5"``)."""

    task = "tabular-classification"

    def parse_response(self, response: Response, call: Call) -> Any:
        return [str(v) for v in self.predictions(response)]


class HFTabularRegressionHelper(_Tabular):
    task = "tabular-regression"

    def parse_response(self, response: Response, call: Call) -> Any:
        values = self.predictions(response)
        try:
            return [float(v) for v in values]
        except ValueError:
            self.fail("numeric predictions", values)
