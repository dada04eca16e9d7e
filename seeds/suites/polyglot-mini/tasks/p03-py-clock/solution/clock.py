class Clock:
    def __init__(self, hour, minute):
        self.minutes = (hour * 60 + minute) % (24 * 60)

    def __str__(self):
        return "%02d:%02d" % divmod(self.minutes, 60)

    def __repr__(self):
        return "Clock(%s)" % self

    def __add__(self, minutes):
        return Clock(0, self.minutes + minutes)

    def __sub__(self, minutes):
        return Clock(0, self.minutes - minutes)

    def __eq__(self, other):
        return isinstance(other, Clock) and self.minutes == other.minutes

    def __hash__(self):
        return hash(self.minutes)
