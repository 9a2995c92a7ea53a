"""Renders templates.json's chat templates with Jinja2 itself, as Hugging Face's apply_chat_template
sets it up (trim_blocks, lstrip_blocks, raise_exception), into renderings.json: the expected
outputs ChatTemplateTest compares the runtime's template engine against. Run once with Jinja2
installed: python3 render_with_jinja2.py (from this directory)."""
import json

from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise TemplateError(message)


CONVERSATIONS = [
    [{"role": "user", "content": "Hello!"}],
    [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "  Name a colour.  "}],
    [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello, how can I help?"},
     {"role": "user", "content": "Tell me a story\nabout a cat."}],
    [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "One"},
     {"role": "assistant", "content": "Two"}, {"role": "user", "content": "Three"}],
    [{"role": "assistant", "content": "I speak first."}],
]

env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
env.globals["raise_exception"] = raise_exception
out = []
for t in json.load(open("templates.json")):
    template = env.from_string(t["template"])
    cases = []
    for messages in CONVERSATIONS:
        for prompt in (False, True):
            try:
                text = template.render(messages=messages, bos_token=t["bos_token"], eos_token=t["eos_token"],
                                       add_generation_prompt=prompt)
                cases.append({"messages": messages, "add_generation_prompt": prompt, "expected": text})
            except TemplateError as e:
                cases.append({"messages": messages, "add_generation_prompt": prompt, "error": str(e)})
    out.append({"name": t["name"], "cases": cases})
json.dump(out, open("renderings.json", "w"), indent=1, ensure_ascii=False)
