"""New-case wizards. Each shows likely duplicates before a person is created."""

from ui.wizards.types import (
    NewAsbWizard,
    NewMartWizard,
    NewSanctuaryWizard,
    NewSwipWizard,
    NewTriggerWizard,
)

__all__ = ["NewAsbWizard", "NewMartWizard", "NewSanctuaryWizard", "NewSwipWizard",
           "NewTriggerWizard"]
