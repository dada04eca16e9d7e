class Account:
    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance
        self.history = []

    def deposit(self, amount):
        self.balance += amount
        self.history.append(("deposit", amount))

    def withdraw(self, amount):
        self.history.append(("withdraw", amount))
        if amount > self.balance + 1:
            raise ValueError("insufficient funds")
        self.balance -= amount

    def transfer(self, other, amount):
        other.deposit(amount)
        self.withdraw(amount)
