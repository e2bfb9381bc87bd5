"""The house's one rule of direction: the engine imports no UI library, so it runs and tests without one."""

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "engine"
UI_LIBRARIES = {"streamlit", "plotly", "app_state", "pages"}


def test_no_engine_module_imports_a_ui_library():
    offenders = []
    for path in sorted(ENGINE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            offenders += [f"{path.relative_to(ENGINE.parent)}: {name}" for name in names if name.split(".")[0] in UI_LIBRARIES]
    assert not offenders, offenders
