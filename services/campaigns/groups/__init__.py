"""Group buys (拼团): templates, groups customers open and join by share code, their expiry."""
