"""The read side: inbox pages and task lists, instance views and histories, a task's context for its page,
where an instance stands on its diagrams, and what a pathway knows about its patient now.

Inbox and list queries read indexed rows only, never workflow state. May import `engine.care`,
`engine.runtime`, `engine.deploy`, `engine.store`, `engine.models`, `engine.time`, `engine.errors`.
"""
