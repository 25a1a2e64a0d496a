"""files.getUploadURLExternal, .completeUploadExternal and .info, and the bytes of an upload."""

from __future__ import annotations

from mentorbot.standin.contract import parse_json_arg
from mentorbot.standin.methods.workspace import WorkspaceState
from mentorbot.standin.objects import (
    Json,
    SlackError,
    UploadedFile,
    file_object,
    shared_file_object,
)


class FilesMethods(WorkspaceState):
    """Files the bot uploads and files members share."""

    def files_get_upload_url(self, args: Json) -> Json:
        """files.getUploadURLExternal: reserve a file id and an upload URL on the stand-in."""
        file_id = self.next_id("F")
        self.files[file_id] = UploadedFile(file_id, str(args["filename"]), int(args["length"]))
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def receive_upload(self, file_id: str, data: bytes) -> bool:
        """Store the bytes POSTed to an upload URL; False when the file id is unknown."""
        upload = self.files.get(file_id)
        if upload is None:
            return False
        upload.data = data
        return True

    def files_complete_upload(self, args: Json) -> Json:
        """files.completeUploadExternal: finish uploads and share them where asked."""
        items = parse_json_arg(args["files"])
        uploads: list[UploadedFile] = []
        for item in items if isinstance(items, list) else []:
            upload = self.files.get(str(item.get("id")))
            if upload is None or upload.data is None:
                raise SlackError("file_not_found")
            upload.title = item.get("title") or upload.filename
            uploads.append(upload)
        if not uploads:
            raise SlackError("invalid_arguments")
        names = [args.get("channel_id"), *str(args.get("channels") or "").split(",")]
        channels = [self.resolve_channel(name) for name in names if name]
        objects = [file_object(self.bot, upload) for upload in uploads]
        for upload in uploads:
            upload.completed = True
            upload.channels = channels
            upload.initial_comment = args.get("initial_comment")
            upload.thread_ts = args.get("thread_ts")
        for channel in channels:
            text = args.get("initial_comment") or ""
            message = {**self._new_message({"text": text}, self.next_ts()), "files": objects}
            self.messages.setdefault(channel, []).append({**message, "upload": True})
        return {"ok": True, "files": objects}

    def files_info(self, args: Json) -> Json:
        """files.info: a file a member shared or the bot uploaded, or file_not_found."""
        file_id = str(args.get("file") or "")
        shared = self.shared_files.get(file_id)
        upload = self.files.get(file_id)
        if shared is not None and shared.deleted:
            raise SlackError("file_deleted")
        if shared is not None:
            file = shared_file_object(self.bot, self.base_url, shared)
        elif upload is not None and upload.completed:
            file = file_object(self.bot, upload)
        else:
            raise SlackError("file_not_found")
        return {
            "ok": True,
            "file": file,
            "comments": [],
            "response_metadata": {"next_cursor": ""},
        }
