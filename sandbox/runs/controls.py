"""Control messages of a live run: what the owner's browser may send, how they are checked,
and the Redis list that carries them from the WebSocket consumer to the worker running it.

The consumer checks the form of a control (so a malformed one is refused at once); the worker
applies it at the next tick, since only the engine knows whether the target exists now."""

from typing import Any

from django.conf import settings
from pydantic import ValidationError

from simulation.changes import ChangeError, parse_change

RUN_ACTIONS = {"pause", "resume", "stop", "speed"}
ENGINE_ACTIONS = {
    "kill",
    "restore",
    "slow",
    "flush",
    "cut",
    "zone_down",
    "zone_up",
    "users",
    "add_node",
    "remove_node",
    "resize",
}
MAX_SPEED = 100_000.0


class ControlError(ValueError):
    """A control that is malformed; the message says what and where."""


def control_key(run_id: str) -> str:
    return f"{settings.CHANNELS_PREFIX}:run:{run_id}:controls"


def control_check(message: dict[str, Any]) -> dict[str, Any]:
    """The control in the form the worker applies; raises ControlError naming the field."""
    action = message.get("action")
    control_id = message.get("id")
    if control_id is not None and not isinstance(control_id, str | int):
        raise ControlError("id: must be a string or a number")
    if action in RUN_ACTIONS:
        if action == "speed":
            speed = message.get("speed")
            if isinstance(speed, bool) or not isinstance(speed, int | float):
                raise ControlError("speed: must be a number (simulated seconds per second)")
            if not (speed == 0 or 0.1 <= speed <= MAX_SPEED):
                raise ControlError(
                    f"speed: must be 0 (as fast as possible) or between 0.1 and {MAX_SPEED:g}"
                )
            return {"id": control_id, "action": "speed", "speed": float(speed)}
        return {"id": control_id, "action": action}
    if action in ENGINE_ACTIONS:
        change = {k: v for k, v in message.items() if k not in {"type", "id"}}
        change["at_s"] = 0.0
        try:
            parsed = parse_change(change)
        except (ChangeError, ValidationError) as exc:
            raise ControlError(str(exc)) from None
        return {"id": control_id, "action": action, "change": parsed.model_dump(by_alias=True)}
    known = ", ".join(sorted(RUN_ACTIONS | ENGINE_ACTIONS))
    raise ControlError(f"action: {action!r} is not one of {known}")
