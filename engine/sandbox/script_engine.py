"""SandboxedScriptEngine: the only script engine carepath gives SpiffWorkflow (never its plain-exec default)."""
from __future__ import annotations

import json

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.sandbox.connectors import ConnectorRegistry, default_registry
from engine.sandbox.environment import SandboxEnvironment
from engine.sandbox.limits import SandboxLimits


class SandboxedScriptEngine(PythonScriptEngine):
    """Runs every script task, condition, timer, DMN entry and service parameter in the sandbox.

    Pass `limits` to change the time and size limits, `environment_globals` for extra pre-bound helpers,
    `connectors` for a registry other than the module's default one.
    """

    def __init__(self, limits: SandboxLimits | None = None, environment: SandboxEnvironment | None = None,
                 connectors: ConnectorRegistry | None = None, environment_globals: dict | None = None):
        if environment is None:
            environment = SandboxEnvironment(limits, environment_globals)
        elif not isinstance(environment, SandboxEnvironment):
            raise TypeError("SandboxedScriptEngine needs a SandboxEnvironment")
        super().__init__(environment=environment)
        self.connectors = connectors if connectors is not None else default_registry

    @property
    def limits(self) -> SandboxLimits:
        return self.environment.limits

    def evaluate(self, task, expression, external_context=None):
        """As PythonScriptEngine.evaluate, with the reason in the message (e.g. the sandbox's refusal)."""
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as error:
            error.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as error:
            raise WorkflowTaskException(
                f"Error evaluating expression '{expression}': {type(error).__name__}: {error}",
                task=task, exception=error) from error

    def call_service(self, task, operation_name=None, operation_params=None, task_data=None, **kwargs):
        """Call the connector registered for the service task's operator; returns its result as JSON text."""
        connector = self.connectors.get(operation_name)
        if connector is None:
            known = ", ".join(self.connectors.names()) or "none"
            raise WorkflowTaskException(
                f"no connector is registered for service task operator '{operation_name}' "
                f"(registered: {known})", task=task)
        params = {
            name: param["value"] if isinstance(param, dict) and "value" in param else param
            for name, param in (operation_params or {}).items()
        }
        try:
            result = connector(params)
            return result if isinstance(result, str | bytes) else json.dumps(result)
        except Exception as error:
            raise WorkflowTaskException(
                f"service task operator '{operation_name}' failed: {type(error).__name__}: {error}",
                task=task, exception=error) from error
