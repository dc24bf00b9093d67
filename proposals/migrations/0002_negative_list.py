from django.db import migrations

# 七不入: the seven reasons a proposal is not taken into the project library.
NEGATIVE_LIST = [
    (1, "不属于公共利益范畴"),
    (2, "有其他责任主体（如电力、燃气公司）"),
    (3, "违反政策法规"),
    (4, "与政府在建或拟建项目重复"),
    (5, "超出街道建设能力范围"),
    (6, "不具有技术可行性"),
    (7, "明显超出预算限额"),
]


def load_negative_list(apps, schema_editor):
    reason = apps.get_model("proposals", "NegativeListReason")
    for number, title in NEGATIVE_LIST:
        reason.objects.update_or_create(number=number, defaults={"title": title})


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_initial")]

    operations = [migrations.RunPython(load_negative_list, migrations.RunPython.noop)]
