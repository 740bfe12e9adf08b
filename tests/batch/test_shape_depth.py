"""A depth map in a batch's output: its raw values (DepthMap.predicted_depth) are kept,
inline beside the base64 image, or in a JSON file beside the image saved to the media
directory. Nothing the provider sent is dropped."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from infermux.batch.rows import parse_row
from infermux.batch.shape import jsonable
from infermux.media import DepthMap, ImageOutput
from infermux.testing.samples import png_bytes

ROWS = [[1.0, 2.0], [3.0, 4.5]]
REQUEST = parse_row(
    {"custom_id": "room/1", "task": "depth-estimation", "inputs": "room.png", "model": "m"}
)


def depth_map(values: list[list[float]] | None = ROWS) -> DepthMap:
    return DepthMap(png_bytes(), "image/png", provider="hf-inference", predicted_depth=values)


def test_inline_the_values_go_with_the_base64_image() -> None:
    body = jsonable(depth_map(), REQUEST, None)
    assert base64.b64decode(body["b64"]) == png_bytes()
    assert body["content_type"] == "image/png"
    assert body["predicted_depth"] == ROWS


def test_with_a_media_dir_the_values_are_a_json_file_beside_the_image(tmp_path: Path) -> None:
    body = jsonable(depth_map(), REQUEST, tmp_path)
    image, values = Path(body["path"]), Path(body["predicted_depth_path"])
    assert image.parent == values.parent == tmp_path
    assert image.read_bytes() == png_bytes()
    assert values.name == image.name.removesuffix(".png") + ".depth.json"
    assert json.loads(values.read_text()) == ROWS
    assert not list(tmp_path.glob("*.part"))  # written atomically, as the image


def test_a_depth_map_without_values_and_other_images_add_nothing(tmp_path: Path) -> None:
    for output in (depth_map(None), ImageOutput(png_bytes(), "image/png")):
        assert "predicted_depth" not in jsonable(output, REQUEST, None)
        assert "predicted_depth_path" not in jsonable(output, REQUEST, tmp_path)
    assert not list(tmp_path.glob("*.json"))
