"""The baseline: raw SpiffWorkflow, storing each step as its own serializer's whole JSON blob."""
from __future__ import annotations

import statistics
import time
from pathlib import Path

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState


class RawSpiff:
    def __init__(self, bpmn: Path, process_id: str):
        parser = SpiffBpmnParser()
        parser.add_bpmn_file(str(bpmn))
        self.spec = parser.get_spec(process_id)
        self.subprocess_specs = parser.get_subprocess_specs(process_id)
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

    def new_blob(self) -> str:
        workflow = BpmnWorkflow(self.spec, self.subprocess_specs)
        workflow.do_engine_steps()
        return self.serializer.serialize_json(workflow)

    def step(self, blob: str, data: dict) -> tuple[str, bool]:
        """Deserialize, run the next user task with `data`, engine steps, serialize."""
        workflow = self.serializer.deserialize_json(blob)
        task = workflow.get_next_task(state=TaskState.READY, manual=True)
        task.data.update(data)
        task.run()
        workflow.do_engine_steps()
        return self.serializer.serialize_json(workflow), workflow.completed

    def walk_instances(self, count: int, data: dict) -> list[float]:
        self.completed_blob_bytes(data)  # warm-up: first-use costs are not a step's cost
        timings = []
        for _ in range(count):
            blob, done = self.new_blob(), False
            while not done:
                t0 = time.perf_counter()
                blob, done = self.step(blob, dict(data))
                timings.append(time.perf_counter() - t0)
        return timings

    def loop_flatness(self, loops: int, sample: int) -> tuple[float, float]:
        blob = self.new_blob()
        blob, _ = self.step(blob, {"decision": "continue"})
        early = []
        for _ in range(sample):
            t0 = time.perf_counter()
            blob, _ = self.step(blob, {"decision": "continue"})
            early.append(time.perf_counter() - t0)
        for _ in range(loops - sample - 1):
            blob, _ = self.step(blob, {"decision": "continue"})
        late = []
        for _ in range(sample):
            t0 = time.perf_counter()
            blob, _ = self.step(blob, {"decision": "continue"})
            late.append(time.perf_counter() - t0)
        return statistics.median(early), statistics.median(late)

    def completed_blob_bytes(self, data: dict) -> int:
        blob, done = self.new_blob(), False
        while not done:
            blob, done = self.step(blob, dict(data))
        return len(blob.encode())
