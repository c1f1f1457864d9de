"""Core War: Redcode assembler, batched ICWS'94 MARS, classic warriors (design.md 2.14)."""

from replib.envs.corewar.mars import BattleResult, battle, fight, place_warriors
from replib.envs.corewar.redcode import RedcodeError, Warrior, assemble, disassemble

__all__ = ["BattleResult", "battle", "fight", "place_warriors", "RedcodeError", "Warrior",
           "assemble", "disassemble"]
