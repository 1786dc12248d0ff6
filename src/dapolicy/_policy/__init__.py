"""The parts of :class:`dapolicy.policy.Policy`, one module per concern.

``_registry`` builds and fixes the plug-in manager; ``_guard`` calls plug-ins one by
one, each call isolated, with ``_budget`` (the time budget), ``_caps`` (the caps on
what they give), ``_watch`` (what they were given, snapshotted) and ``_failure_text``
(what a failure record says); ``_assessment`` decides an incident; ``_control_room`` grades
calls and answers events; ``_shared`` holds what the last two share. ``Policy`` is the
one public face and delegates to them.
"""
