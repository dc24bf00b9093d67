from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from voting.exceptions import VotingError
from voting.pabulib import import_round, parse_pb


class Command(BaseCommand):
    help = (
        "Import a Pabulib .pb file (approval ballots) as a new round with its voting closed "
        "and counted; print the new round's id as the last word."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the .pb file")

    def handle(self, *args, file, **options):
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(
                _("无法读取 %(file)s：%(error)s") % {"file": file, "error": error}
            ) from None
        try:
            parsed = parse_pb(text)
            round = import_round(parsed)
        except VotingError as error:
            raise CommandError(f"{file}: {error}") from None
        self.stdout.write(
            _("已导入「%(title)s」：%(items)d个项目，%(ballots)d张选票。轮次编号 %(id)d")
            % {
                "title": round,
                "items": len(parsed.projects),
                "ballots": len(parsed.votes),
                "id": round.pk,
            }
        )
