"""views.open, .push, .update and .publish."""

from __future__ import annotations

from mentorbot.standin.contract import parse_json_arg
from mentorbot.standin.methods.workspace import WorkspaceState
from mentorbot.standin.objects import Json, SlackError, view_object


class ViewsMethods(WorkspaceState):
    """Modals and App Home views."""

    def views_open(self, args: Json) -> Json:
        """views.open / views.push: store a modal; a trigger_id we issued works only once."""
        trigger = str(args.get("trigger_id"))
        if self.triggers.get(trigger):
            raise SlackError("exchanged_trigger_id")
        if trigger in self.triggers:
            self.triggers[trigger] = True
        view = view_object(self.bot, parse_json_arg(args["view"]), self.next_id("V"))
        self.views[view["id"]] = view
        return {"ok": True, "view": view}

    def views_update(self, args: Json) -> Json:
        """views.update: replace a stored view, by view_id or external_id."""
        current = self.views.get(str(args.get("view_id") or ""))
        if current is None and args.get("external_id"):
            matches = [v for v in self.views.values() if v["external_id"] == args["external_id"]]
            current = matches[0] if matches else None
        if current is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        view = view_object(self.bot, parse_json_arg(args["view"]), current["id"])
        view["root_view_id"] = current["root_view_id"]
        self.views[view["id"]] = view
        return {"ok": True, "view": view}

    def views_publish(self, args: Json) -> Json:
        """views.publish: store a user's App Home view."""
        user_id = str(args["user_id"])
        current = self.home_views.get(user_id)
        if current and args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        view_id = current["id"] if current else self.next_id("V")
        view = view_object(self.bot, parse_json_arg(args["view"]), view_id)
        self.home_views[user_id] = self.views[view_id] = view
        return {"ok": True, "view": view}
