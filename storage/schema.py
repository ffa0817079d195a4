"""The core's tables: people, units and groups, messaging, the schedule, the console.

Each feature declares the modules of its own tables (`Feature(models=…)`);
bot.schema gathers the core's and the features' into one schema.
"""

from types import ModuleType

from storage import api_calls, console, messaging, models, schedule

CORE_MODULES: tuple[ModuleType, ...] = (models, messaging, schedule, console, api_calls)
