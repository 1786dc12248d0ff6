"""The parts of :class:`dapolicy.policy.Policy`, one module per concern.

``_registry`` builds and fixes the plug-in manager; ``_guard`` calls plug-ins one by
one, each call isolated; ``_assessment`` decides an incident; ``_control_room`` grades
calls and answers events; ``_shared`` holds what the last two share. ``Policy`` is the
one public face and delegates to them.
"""
