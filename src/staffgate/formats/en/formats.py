"""English times always with their minutes ("5:00 p.m."), never Django's "5 p.m." or
"noon": a lock that ends at 5:00 reads like every other end time."""

TIME_FORMAT = "g:i a"
