from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from voting.exceptions import VotingError
from voting.pabulib import counted_round, write_pb


class Command(BaseCommand):
    help = "Write a round whose stations are all closed in Pabulib's .pb format (approval)."

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int)
        parser.add_argument(
            "--output", type=Path, help="the file to write; standard output if left out"
        )

    def handle(self, *args, round_id, output, **options):
        try:
            text = write_pb(counted_round(round_id))
        except VotingError as error:
            raise CommandError(error) from None
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
            self.stdout.write(_("已写入 %(file)s") % {"file": output})
