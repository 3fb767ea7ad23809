"""Stage 6, transform: apply a catalog rule's fix to the workspace, the in-memory state of the edited files.

The user's tree is written only when the repair ends (see `dockerfix.workspace`); every build in between
sees the tree with the workspace's texts overlaid.
"""
