"""Every provider we ship that serves chat or embeddings carries the seed aliases (issue 17).

The two per-plugin files (``test_provider_aliases.py``, ``test_provider_aliases_b.py``)
check each alias on the wire; this one walks the whole registry, so a plugin added later
without aliases, or a task gained without them, fails here by name.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from infermux.aliases import ALIAS_NAMES
from infermux.registry.loader import get_registry

SEED = {
    "conversational": set(ALIAS_NAMES),
    "feature-extraction": {"default", "large", "small"},
}


def test_every_chat_and_embeddings_provider_has_the_seed_aliases() -> None:
    registry = get_registry()
    checked = []
    missing = []
    for provider in registry.providers():
        for task, names in SEED.items():
            if task not in registry.tasks_for(provider):
                continue
            helper = registry.get(provider, task).helper
            if urlsplit(helper.base_url).hostname == "localhost":
                # A local server (ollama, vllm, ...) serves whatever model its user loaded:
                # no table could name it.
                continue
            aliases = helper.model_aliases
            checked.append((provider, task))
            if not names <= set(aliases):
                missing.append(f"{provider}/{task}: lacks {sorted(names - set(aliases))}")
            assert all(isinstance(v, str) and v for v in aliases.values()), (provider, task)
    assert missing == []
    # The walk saw the providers it should (a registry that loaded nothing passes nothing).
    served = {provider for provider, _ in checked}
    assert {"openai", "together", "groq", "hf-inference", "nebius", "sambanova"} <= served
    assert len(checked) >= 20
