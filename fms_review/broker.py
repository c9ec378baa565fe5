"""kombu's filesystem transport, with every message whole before a worker can see it.

kombu writes a message straight under its final name, so a worker polling the folder can take a file that
another process (embedded beat, the web server) is still writing, read it empty, and die on the JSON error
(celery/kombu#1551). Here a message is written under a name the worker skips, then renamed into place:
a rename within one folder is atomic.
"""
import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # kombu's name: the time first, as the worker takes the oldest message first.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")  # what follows its first dot is no queue's
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as error:
            raise ChannelError(f"Cannot add file {final!r} to directory") from error


class Transport(filesystem.Transport):
    Channel = Channel
