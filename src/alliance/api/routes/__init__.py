"""The node's own routers (users, ledger, federation, meta); desks bring theirs
(:attr:`alliance.desks.DeskSpec.routes`). Each validates, calls, returns."""
