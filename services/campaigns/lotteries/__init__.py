"""Lotteries (抽奖): provably fair draws from prize pools with weights and stock."""
