from django.core.management.base import BaseCommand

from proposals.services import (
    pending_photos_forget,
    round_forget_personal_data,
    rounds_past_retention,
)


class Command(BaseCommand):
    help = (
        "Erase residents' phones, full names and contacts one year after a round is closed (PIPL),"
        " and photos kept for a form that was never sent again after a day."
    )

    def handle(self, *args, **options):
        for round in rounds_past_retention():
            erased = round_forget_personal_data(round=round)
            self.stdout.write(f"{round}: {erased}")
        self.stdout.write(f"kept photos: {pending_photos_forget()}")
